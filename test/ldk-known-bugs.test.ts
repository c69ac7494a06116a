// Bugs of the real LDK 0.1.0 that lnsim finds with no bug planted: a bounded sweep must keep finding them (until the
// package is upgraded to a release with the fix, when this test should flip to expecting none).
import { expect, it } from 'vitest';
import { runSweep } from '../sweep/index.ts';

it('rust-lightning #3988 in LDK 0.1.0: a bounded sweep of ldk-claim-event-restart loses a PaymentClaimed', async () => {
  // Seeds 148..159 hold two failing seeds (152, 158); stop at the first.
  const outcome = await runSweep({ scenarios: ['ldk-claim-event-restart'], bugs: [], from: 148, seeds: 12, workers: 1, stopOnFirst: true });
  const first = outcome.failures[0];
  expect(first?.violation?.invariant).toBe('payment-claimed-delivered');
  expect(first?.violation?.message).toMatch(/^C claimed p\d+ \(the payer got PaymentSent\) but its application never saw PaymentClaimed$/);
  expect(first?.seed).toBe(152);
}, 300_000);

it('rust-lightning #3989 in LDK 0.1.0: a bounded sweep of ldk-forward-close-held loses a held forward', async () => {
  const outcome = await runSweep({ scenarios: ['ldk-forward-close-held'], bugs: [], from: 67, seeds: 4, workers: 1, stopOnFirst: true });
  const first = outcome.failures[0];
  expect(first?.violation?.invariant).toBe('no-lost-htlc');
  expect(first?.violation?.message).toMatch(/^D force-closed db because HTLCs it offered timed out, though neither end crashed or stalled that channel's monitor: B lost track/);
  expect(first?.seed).toBe(70);
}, 300_000);
