// Payment secrets. As with stateless inbound payments, a receiver derives the
// preimage from the payment id carried in the onion, so it needs no storage
// to claim; the hash is sha256 of the preimage.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export function preimageFor(paymentId: string): string {
  return bytesToHex(sha256(utf8ToBytes(`lnsim/preimage/${paymentId}`)));
}

export function hashOf(preimage: string): string {
  return bytesToHex(sha256(hexToBytes(preimage)));
}
