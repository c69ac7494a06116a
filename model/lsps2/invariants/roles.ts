// Which node plays which part in an LSPS2 world (checkers read their records).
export interface Lsps2Roles {
  readonly payer: string;
  readonly lsp: string;
  readonly client: string;
}

export const DEFAULT_ROLES: Lsps2Roles = { payer: 'P', lsp: 'L', client: 'C' };
