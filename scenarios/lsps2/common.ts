// Defaults shared by the LSPS2 scenarios. Time: a tick stands for a second,
// but blocks come every 100 ticks (compressed block time, so that CLTV and
// offer-expiry races fit in one run).
import type { Choices } from '../../sim/choices.ts';
import type { FaultProfile } from '../../sim/faults.ts';
import type { ScheduledCommand, Timing } from '../../sim/world.ts';
import type { Lsps2WorldOptions } from '../../model/lsps2/world.ts';
import type { BuyCommand } from '../../model/lsps2/nodes/client.ts';

export const LSPS2_TIMING: Timing = {
  faultPhase: 2_500,
  calmPhase: 2_500,
  blockInterval: 100,
  faultTick: 50,
  maxLatency: 10,
  maxPersistDelay: 60,
  maxRestartDelay: 80,
  maxReconnectDelay: 60,
};

/** The swarm fault profile: each kind on or off per run, intensity drawn in its range. */
export const LSPS2_FAULTS: FaultProfile = {
  crash: [0.001, 0.01],
  persistDelay: [0.1, 0.6],
  persistStall: [0.005, 0.05],
  crashKeepsPending: [0.2, 0.8],
  disconnect: [0.02, 0.15],
  blockBurst: [0.02, 0.1],
};

export const DEFAULT_OPTIONS: Omit<Lsps2WorldOptions, 'workload'> = {
  lsp: {
    offer: {
      secret: 'lsp-promise-key',
      policy: {
        minFeeMsat: 10_000,
        proportionalPpm: 5_000,
        validForTicks: 2_000,
        minLifetime: 1_008,
        maxClientToSelfDelay: 2_016,
        minPaymentSizeMsat: 100_000,
        maxPaymentSizeMsat: 500_000_000,
      },
      cltvExpiryDelta: 6,
      liquidityMsat: 1_000_000_000,
      clientTrustsLsp: true,
    },
    maxParts: 4,
    cltvSafetyMargin: 6,
    collectTimeout: 90,
    capacityFactor: 2,
  },
  payer: { maxParts: 4, overpayChance: 0.3, maxResends: 3, retryDelay: 20, finalCltv: 300 },
  client: { maxAcceptedHtlcs: 3, mppTimeout: 60, acceptDelayMax: 0 },
  legacyEntries: [],
  coinsSat: [1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000],
  timing: LSPS2_TIMING,
  faults: LSPS2_FAULTS,
  maxEvents: 60_000,
};

const SIZES = [2_000_000, 10_000_000, 40_000_000];

/** Draw one purchase: mode, size, invoices on the scid. */
export function drawPurchase(choices: Choices, id: string, earlier: string | undefined, varChance: number): BuyCommand {
  const isVar = choices.int('workload', 100, `${id} var-amount mode`) < varChance * 100;
  const size = SIZES[choices.int('workload', SIZES.length, `${id} size`)];
  const shape = choices.int('workload', 20, `${id} invoices`);
  const reuse = earlier !== undefined && choices.int('workload', 5, `${id} reuses ${earlier}'s hash`) === 0;
  return {
    kind: 'buy',
    purchase: id,
    ...(isVar ? { varAmountMsat: size } : { paymentSizeMsat: size }),
    invoices: shape < 14 ? 1 : 2,
    ...(shape >= 14 ? { second: shape < 17 ? 'concurrent' : 'sequential' } : {}),
    ...(reuse ? { reuseHashOf: earlier } : {}),
  };
}

/** One or two purchases at drawn times. */
export function purchasesWorkload(varChance: number) {
  return (choices: Choices): ScheduledCommand[] => {
    const commands: ScheduledCommand[] = [];
    const first = drawPurchase(choices, 'buy1', undefined, varChance);
    commands.push({ time: 20 + choices.int('workload', 200, 'buy1 time'), node: 'C', command: first });
    if (choices.int('workload', 2, 'second purchase') === 1) {
      commands.push({ time: 300 + choices.int('workload', 1_200, 'buy2 time'), node: 'C', command: drawPurchase(choices, 'buy2', 'buy1', varChance) });
    }
    return commands;
  };
}
