// The ChannelMonitor: applies updates strictly in update_id order, is persisted
// as a full snapshot plus one key per update (so persists of different updates
// complete in any order, as with an update-logging persister), and watches the
// chain: it broadcasts our commitment when closed and sweeps every output it
// is entitled to.
import type { ChainView } from '../../sim/node.ts';
import type { OutPoint, Tx } from '../../sim/chain.ts';
import { type ClaimKind, claimTx, commitmentTx, type ParsedOutput, parseScript, preimageFromWitness, preimageWitness } from './onchain.ts';
import { type ClaimedHtlc, claimRecord, type Commitment, type Monitor, type MonitorUpdate, type MonitorUpdateBody, monitorRecord } from './types.ts';
import { packedCopy, packedMap } from './packed.ts';

export const MONITOR_PREFIX = 'monitor/';
export const UPDATE_PREFIX = 'monitor-update/';

export function monitorKey(channel: string): string {
  return namesOf(channel).monitor;
}

export function updateKey(channel: string, id: number): string {
  const names = namesOf(channel);
  return named(names.updates, id, names.updatePrefix, 8);
}

/** The prefix of a channel's update files (`monitor-update/<channel>/`): looked up after every completed update. */
export function updatePrefix(channel: string): string {
  return namesOf(channel).updatePrefix;
}

/** The tag of an update's write (`mon/<channel>/<id>`), kept as updateKey keeps its file name. */
export function updateTag(channel: string, id: number): string {
  const names = namesOf(channel);
  return named(names.tags, id, names.tagPrefix, 0);
}

/** `prefix` and the id (zero-padded to `width` digits), kept in `kept` by id when the id is small enough. */
function named(kept: string[], id: number, prefix: string, width: number): string {
  const keeps = id >= 0 && id < UPDATES_NAMED && (id | 0) === id;
  let name = keeps ? kept[id] : undefined;
  if (name === undefined) {
    name = `${prefix}${String(id).padStart(width, '0')}`;
    if (keeps) kept[id] = name;
  }
  return name;
}

/**
 * A channel's file names, made once per process and handed out again: the node and the monitor-safety checker look
 * the same few up on every update and send, and a name made afresh is built and hashed afresh. Bounded: the first
 * CHANNELS_NAMED channels, update ids below UPDATES_NAMED (a sweep meets the same few channel ids in every run).
 */
interface ChannelNames {
  readonly monitor: string;
  readonly updatePrefix: string;
  /** `mon/<channel>/`, the start of every update's write tag. */
  readonly tagPrefix: string;
  /** By update id. */
  readonly updates: string[];
  /** Write tags, by update id. */
  readonly tags: string[];
}
const namesByChannel = new Map<string, ChannelNames>();
const CHANNELS_NAMED = 256;
const UPDATES_NAMED = 1024;

function namesOf(channel: string): ChannelNames {
  let names = namesByChannel.get(channel);
  if (names === undefined) {
    names = { monitor: `${MONITOR_PREFIX}${channel}`, updatePrefix: `${UPDATE_PREFIX}${channel}/`, tagPrefix: `mon/${channel}/`, updates: [], tags: [] };
    if (namesByChannel.size < CHANNELS_NAMED) namesByChannel.set(channel, names);
  }
  return names;
}

export function newMonitor(params: { channel: string; holder: string; counterparty: string; capacity: number; funding: { txid: string; vout: number }; holderCommitment: Commitment; counterpartyCommitment: Commitment; toSelfDelay: number }): Monitor {
  return {
    channel: params.channel,
    holder: params.holder,
    counterparty: params.counterparty,
    capacity: params.capacity,
    funding: params.funding,
    updateId: 0,
    holderCommitment: params.holderCommitment,
    counterpartyCommitments: [params.counterpartyCommitment],
    revokedUpTo: -1,
    toSelfDelay: params.toSelfDelay,
    preimages: {},
    claims: {},
    closed: false,
    epoch: 0,
    closingTx: undefined,
  };
}

export type ApplyResult = 'applied' | { readonly error: string };

/** Apply one update; anything but the next update_id is refused (LDK panics here). */
export function applyUpdate(m: Monitor, u: MonitorUpdate): ApplyResult {
  if (u.id !== m.updateId + 1) return { error: `monitor ${m.channel} at update ${m.updateId} was given update ${u.id}` };
  switch (u.kind) {
    case 'holder-commitment':
      m.holderCommitment = u.commitment;
      break;
    case 'counterparty-commitment':
      m.counterpartyCommitments = unrevoked(m.counterpartyCommitments, m.revokedUpTo, u.commitment);
      break;
    case 'revocation':
      m.revokedUpTo = Math.max(m.revokedUpTo, u.number);
      m.counterpartyCommitments = unrevoked(m.counterpartyCommitments, m.revokedUpTo, undefined);
      prunePreimages(m);
      break;
    case 'preimage':
      m.preimages[u.hash] = u.preimage;
      if (u.htlcs) {
        const claim = (m.claims[u.hash] ??= claimRecord([]));
        for (const h of u.htlcs) if (!claim.htlcs.some((x) => x.channel === h.channel && x.id === h.id)) claim.htlcs.push(h);
        if (u.payment) claim.payment = u.payment;
      }
      break;
    case 'force-close':
      m.closed = true;
      break;
    case 'cooperative-close':
      m.closingTx = u.tx;
      break;
  }
  m.updateId = u.id;
  return 'applied';
}

/** The commitments numbered above `revokedUpTo`, in order, then `next` if given: a new list (a loop, see packed.ts). */
function unrevoked(commitments: readonly Commitment[], revokedUpTo: number, next: Commitment | undefined): Commitment[] {
  const out: Commitment[] = [];
  for (let i = 0; i < commitments.length; i++) if (commitments[i].number > revokedUpTo) out.push(commitments[i]);
  if (next !== undefined) out.push(next);
  return out;
}

/**
 * Forget preimages of HTLCs that no longer appear in any commitment that could
 * still confirm: once revoked away they are of no use on-chain. (This is what
 * makes RAA-blocking actions necessary: a preimage pruned here before it is
 * durable elsewhere is gone.) A closed monitor keeps everything.
 */
function prunePreimages(m: Monitor): void {
  if (m.closed) return;
  // Each preimage looked for in the commitments (a monitor holds few of either): no set of live hashes per revocation,
  // and none at all when it holds no preimage (most revocations).
  for (const hash in m.preimages) {
    if (!live(m, hash)) {
      delete m.preimages[hash];
      delete m.claims[hash];
    }
  }
}

/** Some commitment that could still confirm carries an HTLC with this hash. */
function live(m: Monitor, hash: string): boolean {
  if (carriesHash(m.holderCommitment, hash)) return true;
  const theirs = m.counterpartyCommitments;
  for (let k = 0; k < theirs.length; k++) if (carriesHash(theirs[k], hash)) return true;
  return false;
}

function carriesHash(c: Commitment, hash: string): boolean {
  const htlcs = c.htlcs;
  for (let i = 0; i < htlcs.length; i++) if (htlcs[i].hash === hash) return true;
  return false;
}

/**
 * The monitor as it would load from disk: the snapshot, then the stored updates while their ids are contiguous.
 * `read` gives a file's decoded content (DiskView.readValue); the monitor returned is a working copy. It shares the
 * parts of the stored values it never changes in place (assembleMonitor): they are deep-frozen, so the next write of
 * the monitor finds them unchanged at once instead of comparing a copy of them.
 */
export function loadMonitor(read: (key: string) => unknown, keys: (prefix: string) => string[], channel: string): Monitor | undefined {
  return assembleMonitor(read, keys, channel);
}

/**
 * loadMonitor over stored values already decoded (an observer that caches what it decoded per file): the values
 * are never mutated, the monitor returned may share their unchanging parts.
 */
export function assembleMonitor(decoded: (key: string) => unknown, keys: (prefix: string) => string[], channel: string): Monitor | undefined {
  const stored = decoded(monitorKey(channel)) as Monitor | undefined;
  if (stored === undefined) return undefined;
  // What applyUpdate changes in place gets its own copy; everything else it only replaces.
  // Built as a record (types.ts): the same shape as a monitor made at runtime.
  const claims: Monitor['claims'] = {};
  for (const hash in stored.claims) {
    const claim = stored.claims[hash];
    claims[hash] = claimRecord(packedCopy(claim.htlcs), claim.payment);
  }
  const monitor: Monitor = monitorRecord({ ...stored, counterpartyCommitments: packedCopy(stored.counterpartyCommitments), preimages: { ...stored.preimages }, claims });
  // A loop, not map/filter (packed.ts): the same kind of array whether this code is optimised or not.
  const updates: StoredUpdate[] = [];
  for (const k of keys(updatePrefix(channel))) {
    const u = decoded(k) as StoredUpdate;
    if (u.epoch === monitor.epoch) updates.push(u);
  }
  updates.sort((a, b) => a.id - b.id);
  for (const u of updates) {
    if (u.id <= monitor.updateId) continue;
    if (u.id !== monitor.updateId + 1) break; // a gap: later updates were never acknowledged durable as a whole
    applyUpdate(monitor, u);
  }
  return monitor;
}

/**
 * The epoch a boot rewrites the monitor in: above every epoch on disk, not just the loaded snapshot's. A boot
 * whose snapshot never became durable left update files in an epoch the next boot would otherwise reuse, and
 * they would then load as if they extended the new snapshot.
 */
export function nextEpoch(m: Monitor, read: (key: string) => unknown, keys: (prefix: string) => string[]): number {
  let top = m.epoch;
  for (const k of keys(updatePrefix(m.channel))) top = Math.max(top, (read(k) as StoredUpdate).epoch);
  return top + 1;
}

const NO_CLAIM_OPTIONS = { csv: undefined, lockHeight: undefined, witness: undefined };

/** Broadcast a claim of an unspent output, unless the mempool has it already. */
function claim(chain: ChainView, broadcasts: Tx[], spent: Tx, outpoint: OutPoint, value: number, claimer: string, kind: ClaimKind, csv: number | undefined, lockHeight: number | undefined, witness: string | undefined): void {
  const tx = claimOf(spent, outpoint, value, claimer, kind, csv, lockHeight, witness);
  if (!chain.inMempool(tx.txid)) broadcasts.push(tx);
}

/** A claim transaction made, with everything it was made from. */
interface MadeClaim {
  readonly vout: number;
  readonly value: number;
  readonly claimer: string;
  readonly kind: ClaimKind;
  readonly csv: number | undefined;
  readonly lockHeight: number | undefined;
  readonly witness: string | undefined;
  readonly tx: Tx;
}

/**
 * Claims made so far, per transaction whose outputs they spend. The monitor asks for the same claims at every chain
 * change until they confirm: the one made before is handed out again (claimTx is pure: the same arguments make the
 * same transaction), its txid already built and, once broadcast, the very string the mempool holds.
 */
const claimsBySpent = new WeakMap<Tx, MadeClaim[]>();

function claimOf(spent: Tx, outpoint: OutPoint, value: number, claimer: string, kind: ClaimKind, csv: number | undefined, lockHeight: number | undefined, witness: string | undefined): Tx {
  let made = claimsBySpent.get(spent);
  if (made === undefined) claimsBySpent.set(spent, (made = []));
  const vout = outpoint.vout;
  for (let i = 0; i < made.length; i++) {
    const c = made[i];
    if (c.vout === vout && c.kind === kind && c.claimer === claimer && c.value === value && c.csv === csv && c.lockHeight === lockHeight && c.witness === witness) return c.tx;
  }
  // Options of one shape, made here: the callers' objects would come in as many shapes as they spread.
  const tx = claimTx(outpoint, value, claimer, kind, csv === undefined && lockHeight === undefined && witness === undefined ? NO_CLAIM_OPTIONS : { csv, lockHeight, witness });
  made.push({ vout, value, claimer, kind, csv, lockHeight, witness, tx });
  return tx;
}

/** A confirmed commitment as the monitor reads it: its holder, number and output scripts. */
interface ParsedCommitment {
  readonly holder: string;
  readonly number: number;
  readonly outputs: readonly ParsedOutput[];
}

/** Parsed once per transaction (the monitor reads the same commitment at every block). */
const parsedByTx = new WeakMap<Tx, ParsedCommitment>();

function parsedCommitment(tx: Tx): ParsedCommitment {
  let parsed = parsedByTx.get(tx);
  if (parsed === undefined) {
    const [, , holder, numberText] = tx.txid.split('/');
    parsed = { holder, number: Number(numberText), outputs: packedMap(tx.outputs, (o) => parseScript(o.script)) };
    parsedByTx.set(tx, parsed);
  }
  return parsed;
}

/** Whether any of these monitors carries, in a commitment, an HTLC forwarded from inbound HTLC `htlcId` of `channel`. */
export function monitorsCarryForward(monitors: readonly Monitor[], channel: string, htlcId: number): boolean {
  // Loops, no list of commitments per monitor: every forward asks this of every monitor.
  for (let i = 0; i < monitors.length; i++) {
    const m = monitors[i];
    if (carriesForward(m.holderCommitment, channel, htlcId)) return true;
    const theirs = m.counterpartyCommitments;
    for (let k = 0; k < theirs.length; k++) if (carriesForward(theirs[k], channel, htlcId)) return true;
  }
  return false;
}

function carriesForward(c: Commitment, channel: string, htlcId: number): boolean {
  const htlcs = c.htlcs;
  for (let i = 0; i < htlcs.length; i++) {
    const source = htlcs[i].source;
    if (source !== undefined && source.kind === 'forward' && source.channel === channel && source.htlcId === htlcId) return true;
  }
  return false;
}

/** An update as stored: tagged with the epoch of the snapshot it extends. */
export type StoredUpdate = MonitorUpdate & { readonly epoch: number };

/** Every member any kind of update body has, in the order each kind's literal gives its own. */
interface AnyBody {
  readonly kind: MonitorUpdate['kind'];
  readonly commitment?: Commitment;
  readonly number?: number;
  readonly hash?: string;
  readonly preimage?: string;
  readonly htlcs?: readonly ClaimedHtlc[];
  readonly payment?: { readonly paymentId: string; readonly amount: number };
  readonly tx?: Tx;
}

/**
 * An update with its id, built as one record for every kind (members of other kinds undefined: invisible to JSON and
 * to the trace encoder), so the code that reads updates (applyUpdate, the loaders, the checkers) meets one hidden class
 * instead of one per kind. Each kind's own members keep their order: the same data as `{ ...body, id }`.
 */
export function updateRecord(body: MonitorUpdateBody, id: number): MonitorUpdate {
  const b = body as AnyBody;
  return { kind: b.kind, commitment: b.commitment, number: b.number, hash: b.hash, preimage: b.preimage, htlcs: b.htlcs, payment: b.payment, tx: b.tx, id } as MonitorUpdate;
}

/** An update as stored (`{ ...u, epoch }`), as one record for every kind (see updateRecord). */
export function storedUpdate(u: MonitorUpdate, epoch: number): StoredUpdate {
  const b = u as AnyBody & { readonly id: number };
  return { kind: b.kind, commitment: b.commitment, number: b.number, hash: b.hash, preimage: b.preimage, htlcs: b.htlcs, payment: b.payment, tx: b.tx, id: b.id, epoch } as StoredUpdate;
}

/** Channels that have a monitor on disk. */
export function monitorChannels(keys: (prefix: string) => string[]): string[] {
  return packedMap(keys(MONITOR_PREFIX), (k) => k.slice(MONITOR_PREFIX.length));
}

export interface HtlcResolution {
  readonly channel: string;
  readonly htlcId: number;
  /** The HTLC was offered by us. */
  readonly offeredByUs: boolean;
  readonly hash: string;
  readonly outcome: 'preimage' | 'timeout' | 'penalty';
  readonly preimage?: string;
}

export interface ChainWatch {
  readonly broadcasts: Tx[];
  /** The commitment that spent the funding output, once confirmed. */
  readonly confirmedCommitment: { txid: string; holder: string; number: number; htlcIds: { id: number; offeredByUs: boolean; hash: string }[] } | undefined;
  readonly resolutions: HtlcResolution[];
  /** Every output of the confirmed commitment is spent: nothing left to watch. */
  readonly fullyResolved: boolean;
  /** The funding output was spent by a cooperative closing transaction: nothing to claim, nothing to watch. */
  readonly cooperative: boolean;
  /**
   * The answer stays the same at every height below this one while the chain's revision and the monitor (its
   * updateId) stay the same: the height at which an HTLC turns urgent or a penalty falls due (Infinity: none).
   */
  readonly stableBelow: number;
}

/** How the monitor answers a revoked commitment of the counterparty; the fields are planted-bug deviations (default: correct). */
export interface PenaltyOptions {
  /** ln-penalty-no-htlc: only the revoked to_local output is swept by the penalty, HTLC outputs are left to the normal rules. */
  readonly skipHtlcs?: boolean;
  /** ln-penalty-late: penalty transactions wait this many blocks after the commitment confirms (0: at once). */
  readonly delay?: number;
}

/** What watchChain is told beyond the monitor and the chain (closing.ts passes every member). */
export interface WatchOptions {
  readonly dropClosedPreimages?: boolean;
  readonly withheld?: readonly string[];
  readonly urgentWithin?: number;
  readonly penalty?: PenaltyOptions;
}

const NO_WATCH_OPTIONS: WatchOptions = {};

/**
 * A chain watch, built here only: every member present in one order (confirmedCommitment undefined, cooperative
 * false when they do not apply), so the code reading watches meets one hidden class.
 */
function chainWatch(broadcasts: Tx[], confirmedCommitment: ChainWatch['confirmedCommitment'], resolutions: HtlcResolution[], fullyResolved: boolean, cooperative: boolean, stableBelow: number): ChainWatch {
  return { broadcasts, confirmedCommitment, resolutions, fullyResolved, cooperative, stableBelow };
}

/** What the monitor must do on-chain now, and what it learned. Level-triggered: safe to call at every block. */
export function watchChain(m: Monitor, chain: ChainView, options: WatchOptions = NO_WATCH_OPTIONS): ChainWatch {
  const spender = chain.spender(m.funding);
  if (spender === undefined) return watchUnspent(m, chain);
  const commitment = chain.confirmedTx(spender)!;
  if (commitment.label === 'closing') return chainWatch([], undefined, [], true, true, Infinity);
  return watchCommitment(m, chain, commitment, options);
}

/** The funding output is unspent: a signed closing transaction, or our commitment once closed, is (re)broadcast. */
function watchUnspent(m: Monitor, chain: ChainView): ChainWatch {
  const broadcasts: Tx[] = [];
  // A signed closing transaction is rebroadcast until it (or a commitment) confirms.
  if (m.closingTx && !chain.inMempool(m.closingTx.txid)) broadcasts.push(m.closingTx);
  if (m.closed) {
    const tx = commitmentTx(m.channel, m.holder, m.counterparty, m.funding, m.holderCommitment);
    if (!chain.inMempool(tx.txid)) broadcasts.push(tx);
  }
  return chainWatch(broadcasts, undefined, [], false, false, Infinity);
}

/**
 * A commitment spent the funding output: claim every output we are entitled to and learn how its HTLC outputs were
 * resolved. Each output is claimed at most once, through the one call of `claim` below (one inlined copy of it).
 */
function watchCommitment(m: Monitor, chain: ChainView, commitment: Tx, options: WatchOptions): ChainWatch {
  const us = m.holder;
  const broadcasts: Tx[] = [];
  const resolutions: HtlcResolution[] = [];
  const htlcIds: { id: number; offeredByUs: boolean; hash: string }[] = [];
  const { holder, number, outputs: parsedOutputs } = parsedCommitment(commitment);
  let open = 0;
  const penaltyDelay = options.penalty?.delay ?? 0;
  const skipHtlcPenalty = options.penalty?.skipHtlcs ?? false;
  const penaltyDue = penaltyDelay <= 0 || chain.confirmations(commitment.txid) > penaltyDelay;
  // A penalty not yet due falls due at a later height: answer afresh at the next block.
  let stableBelow = penaltyDue ? Infinity : chain.height + 1;
  for (let vout = 0; vout < commitment.outputs.length; vout++) {
    const output = commitment.outputs[vout];
    const outpoint = { txid: commitment.txid, vout };
    const parsed = parsedOutputs[vout];
    const spentBy = chain.spender(outpoint);
    if (spentBy === undefined) open++;
    const revoked = (parsed.kind === 'to-holder' || parsed.kind === 'htlc') && parsed.holder !== us && parsed.number <= m.revokedUpTo;
    // Our own commitment, older than the one we hold (we revoked it, or a stale state of ours went out): our HTLC
    // claims take the second-stage CSV delay, as HTLC-success/timeout outputs do, so the counterparty can still punish.
    const ownOld = (parsed.kind === 'to-holder' || parsed.kind === 'htlc') && parsed.holder === us && parsed.number < m.holderCommitment.number;
    const secondStageCsv = ownOld ? m.toSelfDelay : undefined;
    // The claim this output calls for, if any (a claim goes out while its output is unspent and not in the mempool).
    let kind: ClaimKind | undefined;
    let csv: number | undefined;
    let lockHeight: number | undefined;
    let witness: string | undefined;
    if (parsed.kind === 'to-holder') {
      if (parsed.holder === us) {
        kind = 'to-self';
        csv = m.toSelfDelay;
      } else if (revoked && penaltyDue) kind = 'penalty';
    } else if (parsed.kind === 'to-counterparty') {
      if (parsed.owner === us) kind = 'to-remote';
    } else if (parsed.kind === 'htlc') {
      const offeredByUs = parsed.offeredByHolder === (parsed.holder === us);
      htlcIds.push({ id: parsed.id, offeredByUs, hash: parsed.hash });
      if (revoked && !skipHtlcPenalty) {
        if (penaltyDue) kind = 'penalty';
      } else if (offeredByUs) {
        kind = 'timeout';
        csv = secondStageCsv;
        lockHeight = parsed.cltv;
      } else {
        // A preimage is revealed on-chain only once durable (a crash must not lose what the chain already saw),
        // unless the HTLC is about to expire: then the money comes first.
        const urgentFrom = parsed.cltv - (options.urgentWithin ?? 0);
        const urgent = chain.height >= urgentFrom;
        if (!urgent) stableBelow = Math.min(stableBelow, urgentFrom);
        const withheld = !urgent && (options.withheld?.includes(parsed.hash) ?? false);
        const preimage = (options.dropClosedPreimages && m.closed) || withheld ? undefined : m.preimages[parsed.hash];
        if (preimage !== undefined) {
          kind = 'preimage';
          csv = secondStageCsv;
          witness = preimageWitness(preimage);
        }
      }
      if (spentBy !== undefined) resolutions.push(resolution(m, chain.confirmedTx(spentBy)!, outpoint, parsed.id, offeredByUs, parsed.hash));
    }
    if (kind !== undefined && spentBy === undefined) claim(chain, broadcasts, commitment, outpoint, output.value, us, kind, csv, lockHeight, witness);
  }
  return chainWatch(broadcasts, { txid: commitment.txid, holder, number, htlcIds }, resolutions, open === 0, false, stableBelow);
}

/** How an HTLC output was resolved, read from the witness of the sweep that spent it. */
function resolution(m: Monitor, sweep: Tx, outpoint: OutPoint, htlcId: number, offeredByUs: boolean, hash: string): HtlcResolution {
  let witness: string | undefined;
  const inputs = sweep.inputs;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].txid === outpoint.txid && inputs[i].vout === outpoint.vout) {
      witness = inputs[i].witness;
      break;
    }
  }
  const preimage = preimageFromWitness(witness);
  const outcome = preimage !== undefined ? 'preimage' : witness === 'timeout' ? 'timeout' : 'penalty';
  return { channel: m.channel, htlcId, offeredByUs, hash, outcome, preimage };
}
