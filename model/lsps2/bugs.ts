// Ids of this slice's planted bugs (DESIGN 5.2). Each guards one small named
// deviation of the correct model; the catalog says which invariant catches it.

export const BUG = {
  htlcId: 'cln-htlc-id',
  doubleFund: 'cln-double-fund',
  scidFund: 'cln-scid-fund',
  scidMismatch: 'cln-scid-mismatch',
  orphanWithheld: 'cln-orphan-withheld',
  recoveryAddPart: 'cln-recovery-addpart',
  recoveryAbort: 'cln-recovery-abort',
  finalizeCreate: 'cln-finalize-create',
  expireLive: 'cln-expire-live',
  cltvLate: 'cln-cltv-late',
  feeOnParts: 'cln-fee-on-parts',
  permCode: 'cln-perm-code',
  trustFlag: 'cln-trust-flag',
  abandonAll: 'cln-abandon-all',
  feeMinPlus: 'cln-fee-min-plus',
  cltvMargin: 'cln-cltv-margin',
} as const;

export type Bugs = ReadonlySet<string>;
