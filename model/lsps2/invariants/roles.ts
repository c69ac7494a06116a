// Which node plays which part in an LSPS2 world (checkers read their records).
import type { World } from '../../../sim/world.ts';
import type { LspNodeState } from '../lsp/node.ts';
import type { ClientState } from '../nodes/client.ts';
import type { PayerState } from '../nodes/payer.ts';

export interface Lsps2Roles {
  readonly payer: string;
  readonly lsp: string;
  readonly client: string;
}

export const DEFAULT_ROLES: Lsps2Roles = { payer: 'P', lsp: 'L', client: 'C' };

/** What an end-of-run check says when one of the three nodes is down. */
export const NODE_DOWN = 'a node is down at the end of the run';

/** The three nodes' states at the end of a run; undefined when one of them is down. */
export function endStates(world: World, roles: Lsps2Roles): { payer: PayerState; lsp: LspNodeState; client: ClientState } | undefined {
  const payer = world.state<PayerState>(roles.payer);
  const lsp = world.state<LspNodeState>(roles.lsp);
  const client = world.state<ClientState>(roles.client);
  return payer && lsp && client ? { payer, lsp, client } : undefined;
}
