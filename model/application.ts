// The application's pace and decisions, shared by both backends (the model's
// node in model/ln and the real LDK node in model/ldk), so that they see the
// same kind of workload from the same draws: a background pass (events handled,
// manager persisted) every backgroundDelay + draw(backgroundJitter) ticks, and a
// claimable payment refused one time in refuseOneIn. The draw labels are part
// of every tape and trace: change them and every fingerprint changes.
import type { NodeEnv } from '../sim/node.ts';

export interface ApplicationPace {
  /** Ticks between activity and the background pass (events handled, manager persisted). */
  readonly backgroundDelay: number;
  /** Up to this many more ticks, drawn per pass: the application is sometimes slow to handle events. */
  readonly backgroundJitter: number;
  /** A claimable payment is refused (failed back; an expired invoice, say) with chance 1/refuseOneIn. */
  readonly refuseOneIn: number;
}

export const DEFAULT_APPLICATION_PACE: ApplicationPace = { backgroundDelay: 3, backgroundJitter: 40, refuseOneIn: 10 };

/** Ticks until the next background pass (one draw). */
export function backgroundPassDelay(env: Pick<NodeEnv, 'draw'>, pace: ApplicationPace): number {
  return pace.backgroundDelay + env.draw(pace.backgroundJitter, 'background pass delay');
}

/** Whether the application refuses the claimable payment `payment` (one draw; the label names the payment). */
export function refusesPayment(env: Pick<NodeEnv, 'draw'>, pace: ApplicationPace, payment: string): boolean {
  return env.draw(pace.refuseOneIn, `refuse payment ${payment}`) === 0;
}
