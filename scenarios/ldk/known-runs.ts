// Known runs of the real-LDK scenarios: failing runs triaged as bugs of LDK 0.1.0
// (upstream rust-lightning issues fixed after that release), by exact trace. A
// sweep lists them apart and passes (scenarios/known.ts). Fingerprints are
// written by `node --import tsx bench/record-known.ts`; the triage (bug, why)
// is a person's, from the trace and LDK's log (scenarios/corpus/README.md).
import type { KnownRun } from '../known.ts';

const R3772 = { invariant: 'model-assertion', bug: 'rust-lightning #3772', why: 'restart from a manager written mid-claim with a monitor that holds the preimage: the claim replay meets the payment already being claimed and 0.1.0 refuses to load (InvalidValue)' };
const R3857 = { invariant: 'ldk-panic', bug: 'rust-lightning #3857', why: 'a force-close while LDK holds a monitor update numbers the ChannelForceClosed update past the held one: the monitor panics "ChannelMonitorUpdates out of order"' };

export const LDK_KNOWN_RUNS: Readonly<Record<string, readonly KnownRun[]>> = {
  'ldk-two-node-payments': [
    { seed: 25, fingerprint: '', ...R3772 },
    { seed: 43, fingerprint: '', invariant: 'liveness', bug: 'rust-lightning #4431 (same class)', why: 'a failure held behind an in-flight monitor update whose write a crash lost; the restart from a stale manager force-closes and drops it, so the payment stays pending' },
    { seed: 93, fingerprint: '', ...R3772 },
    { seed: 115, fingerprint: '', ...R3772 },
  ],
  'ldk-claim-event-restart': [
    { seed: 69, fingerprint: '', ...R3857 },
    { seed: 152, fingerprint: '', invariant: 'payment-claimed-delivered', bug: 'rust-lightning #3988', why: 'the channel moves on before the slow application handles PaymentClaimed; a restart from the stale manager loses the event' },
    { seed: 192, fingerprint: '', invariant: 'liveness', bug: 'rust-lightning #3859', why: 'a timeout claim package keeps an HTLC output the peer already spent, so every broadcast of it conflicts' },
    { seed: 301, fingerprint: '', ...R3857 },
  ],
  'ldk-forward-close-held': [
    { seed: 24, fingerprint: '', ...R3857 },
    { seed: 37, fingerprint: '', ...R3857 },
    { seed: 42, fingerprint: '', ...R3857 },
    { seed: 70, fingerprint: '', invariant: 'no-lost-htlc', bug: 'rust-lightning #3989', why: 'forwards held behind a stalled monitor update are forgotten when the channel force-closes, and never failed back' },
    { seed: 77, fingerprint: '', ...R3857 },
    { seed: 89, fingerprint: '', ...R3857 },
  ],
  'ldk-forward-async-persist': [
    { seed: 12, fingerprint: '', ...R3857 },
    { seed: 36, fingerprint: '', ...R3857 },
  ],
  'ldk-mpp-claim-restart': [
    { seed: 56, fingerprint: '', ...R3857 },
    { seed: 59, fingerprint: '', ...R3857 },
  ],
};
