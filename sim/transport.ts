// Peer connections: per pair an ordered, lossless stream (BOLT 8 over TCP).
// Messages arrive in send order or, if the connection drops first, not at all.
// Reordering is never the transport's doing.

/** One peer connection, as the world reads it while sending (one lookup per message: see connection). */
export interface Connection {
  readonly a: string;
  readonly b: string;
  readonly up: boolean;
  /** Bumped at every disconnect: deliveries from an older epoch are dropped. */
  readonly epoch: number;
}

interface Link extends Connection {
  up: boolean;
  epoch: number;
  /** Per direction (from a, from b), the time of the last scheduled delivery (keeps FIFO order under random latency); 0: none. */
  lastFromA: number;
  lastFromB: number;
}

export class Transport {
  private readonly links = new Map<string, Link>();
  /** Each link under both of its ends (lookups build no id string: the model asks at every step). */
  private readonly byEnds = new Map<string, Map<string, Link>>();
  private readonly peers = new Map<string, string[]>();

  constructor(pairs: readonly (readonly [string, string])[]) {
    // Index loops, no destructuring: run once per world, yet optimised in the end; iterators and pairs built only to
    // be destructured made that compile several times costlier.
    for (let i = 0; i < pairs.length; i++) {
      const a = pairs[i][0];
      const b = pairs[i][1];
      const id = linkId(a, b);
      if (a === b) throw new Error(`transport: a node cannot peer with itself (${a})`);
      if (this.links.has(id)) continue;
      const link: Link = { a, b, up: false, epoch: 0, lastFromA: 0, lastFromB: 0 };
      this.links.set(id, link);
      this.addEnd(a, b, link);
      this.addEnd(b, a, link);
      this.addPeer(a, b);
      this.addPeer(b, a);
    }
  }

  /** The links that are up, in the order of pairs() (the fault plan picks one by index). */
  linksUp(): { readonly a: string; readonly b: string }[] {
    const out: Link[] = [];
    for (const link of this.links.values()) if (link.up) out.push(link);
    return out;
  }

  /** How many links are up (linksUp().length, without listing them). */
  countUp(): number {
    let n = 0;
    for (const link of this.links.values()) if (link.up) n++;
    return n;
  }

  pairs(): [string, string][] {
    // A loop, not map: optimised code's map makes a "holey" array, another hidden class for the callers' loops.
    const out: [string, string][] = [];
    for (const l of this.links.values()) out.push([l.a, l.b]);
    return out;
  }

  peersOf(node: string): readonly string[] {
    return this.peers.get(node) ?? NO_PEERS;
  }

  /** The link between two nodes (undefined: they are not peers). */
  connection(a: string, b: string): Connection | undefined {
    return this.byEnds.get(a)?.get(b);
  }

  isUp(a: string, b: string): boolean {
    return this.byEnds.get(a)?.get(b)?.up ?? false;
  }

  epoch(a: string, b: string): number {
    return this.link(a, b).epoch;
  }

  isCurrent(from: string, to: string, epoch: number): boolean {
    const link = this.link(from, to);
    return link.up && link.epoch === epoch;
  }

  up(a: string, b: string): void {
    this.link(a, b).up = true;
  }

  down(a: string, b: string): void {
    const link = this.link(a, b);
    link.up = false;
    link.epoch++;
    link.lastFromA = 0;
    link.lastFromB = 0;
  }

  /** The delivery time for a message sent now: not before `earliest`, and not before the previous message in the same direction. */
  deliveryTime(from: string, to: string, earliest: number): number {
    return this.deliveryOn(this.link(from, to), from, earliest);
  }

  /** deliveryTime on a link the caller holds (connection's answer): `from` is one of its ends. */
  deliveryOn(connection: Connection, from: string, earliest: number): number {
    const link = connection as Link;
    if (from === link.a) return (link.lastFromA = Math.max(earliest, link.lastFromA));
    return (link.lastFromB = Math.max(earliest, link.lastFromB));
  }

  private link(a: string, b: string): Link {
    const link = this.byEnds.get(a)?.get(b);
    if (!link) throw new Error(`transport: ${a} and ${b} are not peers`);
    return link;
  }

  private addEnd(x: string, y: string, link: Link): void {
    let ends = this.byEnds.get(x);
    if (!ends) this.byEnds.set(x, (ends = new Map()));
    ends.set(y, link);
  }

  private addPeer(node: string, peer: string): void {
    const list = this.peers.get(node) ?? [];
    list.push(peer);
    this.peers.set(node, list);
  }
}

function linkId(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * The peers of a node that has none: empty, but with the hidden class of the lists of strings peersOf returns
 * otherwise (a `[]` literal is an array of small integers to V8 until a string is pushed, and the callers' loops
 * compiled for one are deoptimised by the other). Never changed.
 */
const NO_PEERS: readonly string[] = ['none'].slice(1);
