import { describe } from 'vitest';
import { staysGreen } from './ln-green.ts';

// The scripted restart of rust-lightning #2364, then seeded exploration around it (the catalog's ldk-2364 is caught
// inside the script at every seed; the correct model must hold whatever the seed explores afterwards).
describe('Lightning model without planted bugs', () => {
  staysGreen('forward-restart-replay', 300);
});
