import { describe } from 'vitest';
import { staysGreen } from './ln-green.ts';

describe('Lightning model without planted bugs', () => staysGreen('closed-channel-claim'));
