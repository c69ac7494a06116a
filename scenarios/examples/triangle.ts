// The tutorial's scenario (scenarios/README.md, the last step): three nodes
// with a channel between each two, payments in every direction, every kernel
// fault, every Lightning invariant and one invariant of our own.
// Run it: npx lnsim run --scenario scenarios/examples/triangle.ts --seeds 200
import { defineScenario, type CustomInvariant } from 'lnsim';

/**
 * The preimage comes only from the payee, so a payer that learns its payment
 * succeeded must be looking at a payment its payee claimed, for at least the
 * amount it sent.
 */
export const successWasClaimed: CustomInvariant = {
  name: 'success-was-claimed',
  description: 'A payer sees PaymentSent only for a payment its payee has claimed, for at least the amount it sent.',
  checker: () => {
    const sent = new Map<string, number>();
    const claimed = new Map<string, number>();
    return {
      onRecord(record) {
        const d = record.d ?? {};
        if (record.k === 'pay') sent.set(d.paymentId as string, d.amount as number);
        if (record.k === 'claim') claimed.set(d.paymentId as string, d.amount as number);
        if (record.k !== 'event' || d.type !== 'PaymentSent') return undefined;
        const id = d.paymentId as string;
        const amount = claimed.get(id);
        if (amount === undefined) return `${record.n} saw PaymentSent for ${id}, which its payee never claimed`;
        if (amount < (sent.get(id) ?? 0)) return `${record.n} saw PaymentSent for ${id} of ${sent.get(id)}, but its payee claimed only ${amount}`;
        return undefined;
      },
    };
  },
};

export default defineScenario({
  name: 'triangle-payments',
  description:
    'Alice, Bob and Carol each share a channel with the other two and pay each other in every direction, ' +
    'while nodes crash between persists, monitor writes complete late or stall, connections drop and peers force-close.',
  topology: {
    nodes: ['alice', 'bob', 'carol'],
    channels: [
      { id: 'ab', between: ['alice', 'bob'], capacity: 1_000_000, push: 400_000 },
      { id: 'bc', between: ['bob', 'carol'], capacity: 1_000_000, push: 400_000 },
      { id: 'ca', between: ['carol', 'alice'], capacity: 600_000, push: 300_000 },
    ],
  },
  workload: {
    payments: {
      count: [4, 12],
      amount: [1_000, 50_000],
      pairs: [
        ['alice', 'bob'],
        ['bob', 'alice'],
        ['bob', 'carol'],
        ['carol', 'bob'],
        ['carol', 'alice'],
        ['alice', 'carol'],
      ],
    },
  },
  faults: {
    crash: [0.001, 0.02],
    persistDelay: [0.1, 0.8],
    persistStall: [0.01, 0.1],
    crashKeepsPending: [0.2, 0.8],
    disconnect: [0.02, 0.2],
    blockBurst: [0.01, 0.05],
    actions: { 'force-close': [0.002, 0.01] },
  },
  customInvariants: [successWasClaimed],
});
