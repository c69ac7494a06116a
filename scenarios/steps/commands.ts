// The node command contract: what a step hands a node through
// NodeBehaviour.onCommand. Every backend accepts these plain objects.
export const nodeCommands = {
  pay: (to: string, amount: number, paymentId: string, parts: number) => ({ type: 'pay', to, amount, paymentId, parts }),
  /** The application claims a claimable payment now. */
  claim: (paymentId: string) => ({ type: 'claim', paymentId }),
  /** The application refuses a payment (fails it back now, or when it becomes claimable). */
  refuse: (paymentId: string) => ({ type: 'refuse', paymentId }),
  /** The application stops handling events until released. */
  holdEvents: () => ({ type: 'hold-events' }),
  /** The application handles its pending events now. */
  handleEvents: () => ({ type: 'handle-events' }),
  /** The application handles events again as they come. */
  releaseEvents: () => ({ type: 'release-events' }),
  close: (channel: string) => ({ type: 'close', channel }),
  forceClose: (channel: string) => ({ type: 'force-close', channel }),
} as const;
