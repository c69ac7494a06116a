// The digest of a sweep: one hash over all its runs that does not depend on
// the order they ran or merged in, and that adds up across shards. Each run
// contributes sha256(`scenario \t seed \t fingerprint \n`) read as a 256-bit
// number; the digest is their sum mod 2^256 (a multiset hash). Two sweeps of
// the same runs agree iff every run agrees (up to a 2^-256 accident), and the
// digests of a sweep's shards add up to the digest of the unsharded sweep,
// so `lnsim merge` can state one.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

const MOD = 1n << 256n;

const toHex = (n: bigint) => n.toString(16).padStart(64, '0');

export class RunDigest {
  private sum = 0n;

  add(scenario: string, seed: number, fingerprint: string): void {
    this.sum = (this.sum + BigInt(`0x${bytesToHex(sha256(utf8ToBytes(`${scenario}\t${seed}\t${fingerprint}\n`)))}`)) % MOD;
  }

  hex(): string {
    return toHex(this.sum);
  }
}

/** The digest of the union of disjoint sweeps (shards), from their digests. */
export function combineDigests(digests: readonly string[]): string {
  return toHex(digests.reduce((sum, d) => (sum + BigInt(`0x${d}`)) % MOD, 0n));
}
