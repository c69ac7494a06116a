// Peer messages between LDK nodes as they travel through the simulated
// transport: each carries the message's wire bytes (its BOLT serialization),
// so traces, replays and fingerprints cover real wire content. The sender
// turns LDK's MessageSendEvents into these; the receiver decodes the bytes and
// hands them to its ChannelManager's handle_* method.
import type { Message } from '../../sim/node.ts';
import { fromHex, toHex } from './bytes.ts';
import type * as ldk from 'lightningdevkit';
import { L } from './wasm.ts';

/** A wire message: BOLT type name, the channel it concerns (hex, when it names one), the serialized bytes. */
export interface WireMessage extends Message {
  readonly type: string;
  readonly channel?: string;
  readonly bytes: string;
}

/** BOLT message type → the binding's struct (to decode) and ChannelMessageHandler method (to deliver). */
const TYPES: Record<string, readonly [struct: string, handler: string]> = {
  open_channel: ['OpenChannel', 'handle_open_channel'],
  accept_channel: ['AcceptChannel', 'handle_accept_channel'],
  funding_created: ['FundingCreated', 'handle_funding_created'],
  funding_signed: ['FundingSigned', 'handle_funding_signed'],
  channel_ready: ['ChannelReady', 'handle_channel_ready'],
  announcement_signatures: ['AnnouncementSignatures', 'handle_announcement_signatures'],
  update_add_htlc: ['UpdateAddHTLC', 'handle_update_add_htlc'],
  update_fulfill_htlc: ['UpdateFulfillHTLC', 'handle_update_fulfill_htlc'],
  update_fail_htlc: ['UpdateFailHTLC', 'handle_update_fail_htlc'],
  update_fail_malformed_htlc: ['UpdateFailMalformedHTLC', 'handle_update_fail_malformed_htlc'],
  update_fee: ['UpdateFee', 'handle_update_fee'],
  commitment_signed: ['CommitmentSigned', 'handle_commitment_signed'],
  revoke_and_ack: ['RevokeAndACK', 'handle_revoke_and_ack'],
  shutdown: ['Shutdown', 'handle_shutdown'],
  closing_signed: ['ClosingSigned', 'handle_closing_signed'],
  channel_reestablish: ['ChannelReestablish', 'handle_channel_reestablish'],
  error: ['ErrorMessage', 'handle_error'],
};

type Writable = { write(): Uint8Array; get_channel_id?: () => { get_a(): Uint8Array } };

function wire(type: string, msg: Writable): WireMessage {
  const channel = typeof msg.get_channel_id === 'function' ? toHex(msg.get_channel_id().get_a()) : undefined;
  return { type, ...(channel !== undefined ? { channel } : {}), bytes: toHex(msg.write()) };
}

/** A wrapper for an absent optional struct (the bindings return a placeholder, not null). */
const absent = (o: unknown): boolean => o === null || o === undefined || (o as { ptr: bigint }).ptr < 4096n;

/** What a node does with one MessageSendEvent: messages to a peer (by node id), a disconnect, or nothing (gossip). */
export interface Outgoing {
  readonly nodeId: string;
  readonly messages: WireMessage[];
  readonly disconnect: boolean;
}

export function outgoing(event: ldk.MessageSendEvent): Outgoing | undefined {
  const to = (nodeId: Uint8Array, messages: WireMessage[], disconnect = false): Outgoing => ({ nodeId: toHex(nodeId), messages, disconnect });
  if (event instanceof L.MessageSendEvent_SendOpenChannel) return to(event.node_id, [wire('open_channel', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendAcceptChannel) return to(event.node_id, [wire('accept_channel', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendFundingCreated) return to(event.node_id, [wire('funding_created', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendFundingSigned) return to(event.node_id, [wire('funding_signed', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendChannelReady) return to(event.node_id, [wire('channel_ready', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendAnnouncementSignatures) return to(event.node_id, [wire('announcement_signatures', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendRevokeAndACK) return to(event.node_id, [wire('revoke_and_ack', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendShutdown) return to(event.node_id, [wire('shutdown', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendClosingSigned) return to(event.node_id, [wire('closing_signed', event.msg)]);
  if (event instanceof L.MessageSendEvent_SendChannelReestablish) return to(event.node_id, [wire('channel_reestablish', event.msg)]);
  if (event instanceof L.MessageSendEvent_UpdateHTLCs) {
    // The BOLT 2 order of one CommitmentUpdate: adds, fulfills, fails, malformed fails, the fee, then the signature.
    const u = event.updates;
    const messages: WireMessage[] = [
      ...u.get_update_add_htlcs().map((m) => wire('update_add_htlc', m)),
      ...u.get_update_fulfill_htlcs().map((m) => wire('update_fulfill_htlc', m)),
      ...u.get_update_fail_htlcs().map((m) => wire('update_fail_htlc', m)),
      ...u.get_update_fail_malformed_htlcs().map((m) => wire('update_fail_malformed_htlc', m)),
    ];
    const fee = u.get_update_fee();
    if (!absent(fee)) messages.push(wire('update_fee', fee));
    messages.push(wire('commitment_signed', u.get_commitment_signed()));
    return to(event.node_id, messages);
  }
  if (event instanceof L.MessageSendEvent_HandleError) {
    const action = event.action;
    if (action instanceof L.ErrorAction_DisconnectPeer) {
      const msg = action.msg;
      return to(event.node_id, absent(msg) ? [] : [wire('error', msg)], true);
    }
    if (action instanceof L.ErrorAction_DisconnectPeerWithWarning) return to(event.node_id, [], true);
    if (action instanceof L.ErrorAction_SendErrorMessage) return to(event.node_id, [wire('error', action.msg)]);
    return undefined; // ignore / log / warnings: nothing on our wire
  }
  return undefined; // gossip and dual-funding/splicing messages: not modelled (as rust-lightning's chanmon_consistency)
}

/** Decode a wire message and hand it to the ChannelManager. Throws on an unknown type or undecodable bytes (a harness bug). */
export function deliver(handler: ldk.ChannelMessageHandler, from: Uint8Array, message: WireMessage): void {
  const entry = TYPES[message.type];
  if (!entry) throw new Error(`ldk wire: unknown message type ${message.type}`);
  const [struct, method] = entry;
  const read = (L as unknown as Record<string, { constructor_read(b: Uint8Array): { is_ok(): boolean; res?: unknown } }>)[struct].constructor_read(fromHex(message.bytes));
  if (!read.is_ok()) throw new Error(`ldk wire: ${message.type} bytes do not decode`);
  (handler as unknown as Record<string, (id: Uint8Array, m: unknown) => void>)[method](from, read.res);
}
