// Bugs of the real LDK 0.1.0 that lnsim finds with no bug planted: a bounded sweep must keep finding them (until the
// package is upgraded to a release with the fix, when this test should flip to expecting none).
import { expect, it } from 'vitest';
import { knownRunOf } from '../scenarios/known.ts';
import { LDK_KNOWN_RUNS } from '../scenarios/ldk/known-runs.ts';
import { runSweep, type SweptRun } from '../sweep/index.ts';

/** The upstream bug this run is listed as among the known runs, if it is. */
const listedAs = (run: SweptRun | undefined) => run && knownRunOf(LDK_KNOWN_RUNS[run.scenario], run)?.bug;

it('rust-lightning #3988 in LDK 0.1.0: a bounded sweep of ldk-claim-event-restart loses a PaymentClaimed', async () => {
  // Seeds 148..159 hold two failing seeds (152, 158); stop at the first.
  const outcome = await runSweep({ scenarios: ['ldk-claim-event-restart'], bugs: [], from: 148, seeds: 12, workers: 1, stopOnFirst: true, failOnKnown: true });
  const first = outcome.failures[0];
  // Triaged: a default sweep lists this run as known and passes (scenarios/ldk/known-runs.ts).
  expect(listedAs(first)).toBe('rust-lightning #3988');
  expect(first?.violation?.invariant).toBe('payment-claimed-delivered');
  expect(first?.violation?.message).toMatch(/^C claimed p\d+ \(the payer got PaymentSent\) but its application never saw PaymentClaimed$/);
  expect(first?.seed).toBe(152);
}, 300_000);

it('rust-lightning #3989 in LDK 0.1.0: a bounded sweep of ldk-forward-close-held loses a held forward', async () => {
  const outcome = await runSweep({ scenarios: ['ldk-forward-close-held'], bugs: [], from: 67, seeds: 4, workers: 1, stopOnFirst: true, failOnKnown: true });
  const first = outcome.failures[0];
  // Triaged: a default sweep lists this run as known and passes (scenarios/ldk/known-runs.ts).
  expect(listedAs(first)).toBe('rust-lightning #3989');
  expect(first?.violation?.invariant).toBe('no-lost-htlc');
  expect(first?.violation?.message).toMatch(/^D force-closed db because HTLCs it offered timed out, though neither end crashed or stalled that channel's monitor: B lost track/);
  expect(first?.seed).toBe(70);
}, 300_000);

it('rust-lightning #3772 in LDK 0.1.0: a bounded sweep of ldk-two-node-payments meets a restart LDK refuses', async () => {
  // B restarts with a durable manager written while a claim was still being claimed (the PaymentClaimed completion
  // waited on an in-flight monitor update) and a newest monitor that holds the preimage and its claim details: the
  // claim replay at load meets the payment already in pending_claiming_payments and 0.1.0 refuses to load
  // (InvalidValue; fixed upstream by #3772). The harness handed LDK each channel's newest durable monitor.
  const outcome = await runSweep({ scenarios: ['ldk-two-node-payments'], bugs: [], from: 24, seeds: 2, workers: 1, stopOnFirst: true, failOnKnown: true });
  const first = outcome.failures[0];
  // Triaged: a default sweep lists this run as known and passes (scenarios/ldk/known-runs.ts).
  expect(listedAs(first)).toBe('rust-lightning #3772');
  expect(first?.violation?.invariant).toBe('model-assertion');
  expect(first?.violation?.message).toMatch(/^B while booting: LDK refused to load its durable manager \(DecodeError_InvalidValue\)/);
  expect(first?.seed).toBe(25);
}, 300_000);

it('rust-lightning #3859 in LDK 0.1.0: a bounded sweep of ldk-claim-event-restart leaves an HTLC timeout claim stuck', async () => {
  // C's commitment and its HTLC-success spend of one HTLC output confirm in one block; A delays a timeout claim of
  // all three HTLC outputs until their timelock without pruning the spent one (fixed upstream by #3860), so every
  // broadcast of it conflicts and the payment on another of those outputs never resolves.
  const outcome = await runSweep({ scenarios: ['ldk-claim-event-restart'], bugs: [], from: 192, seeds: 1, workers: 1, stopOnFirst: true, failOnKnown: true });
  const first = outcome.failures[0];
  // Triaged: a default sweep lists this run as known and passes (scenarios/ldk/known-runs.ts).
  expect(listedAs(first)).toBe('rust-lightning #3859');
  expect(first?.violation?.invariant).toBe('liveness');
  expect(first?.violation?.message).toMatch(/^payment p\d+ from A to C never resolved \(no PaymentSent, no PaymentFailed\)$/);
}, 300_000);
