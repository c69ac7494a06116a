// Payment secrets. As with stateless inbound payments, a receiver derives the
// preimage from the payment id carried in the onion, so it needs no storage
// to claim; the hash is sha256 of the preimage.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

// Both are pure and asked for the same few values over and over (by the node and by
// several invariants, in every run of a sweep): remembered, up to a bound.
const MEMO_LIMIT = 4_096;
const preimages = new Map<string, string>();
const hashes = new Map<string, string>();

function memo(cache: Map<string, string>, key: string, compute: (key: string) => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MEMO_LIMIT) cache.clear();
    value = compute(key);
    cache.set(key, value);
  }
  return value;
}

export function preimageFor(paymentId: string): string {
  return memo(preimages, paymentId, (id) => bytesToHex(sha256(utf8ToBytes(`lnsim/preimage/${id}`))));
}

export function hashOf(preimage: string): string {
  return memo(hashes, preimage, (p) => bytesToHex(sha256(hexToBytes(p))));
}
