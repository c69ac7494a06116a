// Small byte helpers for the LDK adapter (hex, integers, double sha256).
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { Buffer } from 'node:buffer';

// Node's native hex codec: monitors and managers (kilobytes each) cross it at every write and restart.
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function fromHex(hex: string): Uint8Array {
  const b = Buffer.from(hex, 'hex');
  // Buffer stops at the first character that is not hex: a short result means malformed input.
  if (b.length * 2 !== hex.length) throw new Error(`not hex: ${hex.length > 40 ? `${hex.slice(0, 40)}...` : hex}`);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export const sha256d = (b: Uint8Array): Uint8Array => sha256(sha256(b));

/** 32 bytes derived from a label: node seeds, preimage entropy. */
export const derive = (label: string): Uint8Array => sha256(utf8ToBytes(label));

export function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export function u64le(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const reversed = (b: Uint8Array): Uint8Array => Uint8Array.from(b).reverse();
