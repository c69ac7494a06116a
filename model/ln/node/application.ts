// Commands a script gives the application (scenarios/steps: claim, refuse, hold-events, handle-events,
// release-events): it claims or refuses a payment when told, and leaves events pending while told to hold them.
// Memory only: the application restarts with the node (a script tells it again).
import { preimageFor } from '../payments.ts';
import { background, refuseClaimable } from './background.ts';
import { markDirty, scheduleBackground } from './manager.ts';
import { claim } from './payments.ts';
import type { LnNode } from './state.ts';

/** The application command `command`, if it is one; false otherwise. */
export function applicationCommand(node: LnNode, command: { type: string; [k: string]: unknown }): boolean {
  switch (command.type) {
    case 'claim':
    case 'refuse':
      decide(node, command.paymentId as string, command.type);
      return true;
    case 'hold-events':
      node.state.app.holdEvents = true;
      return true;
    case 'release-events':
      node.state.app.holdEvents = false;
      if (node.state.mgr.events.length > 0) scheduleBackground(node);
      return true;
    case 'handle-events':
      background(node, true);
      return true;
  }
  return false;
}

/** Claim or refuse a payment: at once if it is claimable, else when its PaymentClaimable is handled. */
function decide(node: LnNode, paymentId: string, decision: 'claim' | 'refuse'): void {
  node.state.app.decisions[paymentId] = decision;
  const p = node.state.mgr.claimable.find((c) => c.paymentId === paymentId && c.status === 'claimable');
  if (!p) return;
  markDirty(node);
  if (decision === 'refuse') refuseClaimable(node, p);
  else claim(node, p, preimageFor(p.paymentId));
}
