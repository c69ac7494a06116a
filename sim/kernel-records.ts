// The data of the kernel's most frequent records (writes, blocks, messages,
// persists, timers: about two thirds of a trace), written to the fingerprint
// by fixed encoders instead of the generic walk over the object's keys. Each
// encoder lists the keys of the literal its world.ts call site builds, in the
// same order: keep the two in step (the corpus fingerprints prove they are).
import { memberKey, type DataEncoder } from './trace-hash.ts';

const KEY = memberKey('key');
const ID = memberKey('id');
const OP = memberKey('op');
const STATUS = memberKey('status');
const HEIGHT = memberKey('height');
const TXS = memberKey('txs');
const TO = memberKey('to');
const MESSAGE = memberKey('message');
const FROM = memberKey('from');
const TYPE = memberKey('type');
const REASON = memberKey('reason');
const TAG = memberKey('tag');
const A = memberKey('a');
const B = memberKey('b');
const INCARNATION = memberKey('incarnation');
const COMMAND = memberKey('command');
const TXID = memberKey('txid');
const LABEL = memberKey('label');
const RESULT = memberKey('result');

/** `write`: { key, id, op, status } */
export const writeData: DataEncoder<{ key: string; id: number; op: string; status: string }> = (h, d, pos) =>
  h.close(h.member(STATUS, d.status, h.member(OP, d.op, h.member(ID, d.id, h.member(KEY, d.key, h.open(pos))))));

/** `durable`: { key, id } */
export const durableData: DataEncoder<{ key: string; id: number }> = (h, d, pos) => h.close(h.member(ID, d.id, h.member(KEY, d.key, h.open(pos))));

/** `rename`: { from, to, id, status } */
export const renameData: DataEncoder<{ from: string; to: string; id: number; status: string }> = (h, d, pos) =>
  h.close(h.member(STATUS, d.status, h.member(ID, d.id, h.member(TO, d.to, h.member(FROM, d.from, h.open(pos))))));

/** `block`: { height, txs } */
export const blockData: DataEncoder<{ height: number; txs: readonly string[] }> = (h, d, pos) => h.close(h.member(TXS, d.txs, h.member(HEIGHT, d.height, h.open(pos))));

/** `send`: { to, message } */
export const sendData: DataEncoder<{ to: string; message: unknown }> = (h, d, pos) => h.close(h.member(MESSAGE, d.message, h.member(TO, d.to, h.open(pos))));

/** `deliver`: { from, type } */
export const deliverData: DataEncoder<{ from: string; type: string }> = (h, d, pos) => h.close(h.member(TYPE, d.type, h.member(FROM, d.from, h.open(pos))));

/** `drop` of a message in flight: { from, type, reason } */
export const dropFromData: DataEncoder<{ from: string; type: string; reason: string }> = (h, d, pos) =>
  h.close(h.member(REASON, d.reason, h.member(TYPE, d.type, h.member(FROM, d.from, h.open(pos)))));

/** `drop` of a message not sent: { to, type, reason } */
export const dropToData: DataEncoder<{ to: string; type: string; reason: string }> = (h, d, pos) =>
  h.close(h.member(REASON, d.reason, h.member(TYPE, d.type, h.member(TO, d.to, h.open(pos)))));

/** `timer`: { tag } */
export const timerData: DataEncoder<{ tag: string }> = (h, d, pos) => h.close(h.member(TAG, d.tag, h.open(pos)));

/** `connect`: { a, b } */
export const linkData: DataEncoder<{ a: string; b: string }> = (h, d, pos) => h.close(h.member(B, d.b, h.member(A, d.a, h.open(pos))));

/** `disconnect`: { a, b, reason } */
export const disconnectData: DataEncoder<{ a: string; b: string; reason: string }> = (h, d, pos) =>
  h.close(h.member(REASON, d.reason, h.member(B, d.b, h.member(A, d.a, h.open(pos)))));

/** `start`, `restart`: { incarnation } */
export const bootData: DataEncoder<{ incarnation: number }> = (h, d, pos) => h.close(h.member(INCARNATION, d.incarnation, h.open(pos)));

/** `command`: { command } */
export const commandData: DataEncoder<{ command: unknown }> = (h, d, pos) => h.close(h.member(COMMAND, d.command, h.open(pos)));

/** `broadcast`: { txid, label, result } */
export const broadcastData: DataEncoder<{ txid: string; label: string; result: string }> = (h, d, pos) =>
  h.close(h.member(RESULT, d.result, h.member(LABEL, d.label, h.member(TXID, d.txid, h.open(pos)))));
