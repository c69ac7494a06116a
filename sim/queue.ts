// Event queue: a binary min-heap ordered by (time, sequence number). The
// sequence number makes equal-time events pop in insertion order, so the
// order never depends on heap internals. The heap is three parallel arrays
// (times, sequence numbers, events): queuing an event allocates nothing of
// its own, and the world queues one per message, persist, timer and block.

export class EventQueue<E> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly events: E[] = [];
  private nextSeq = 0;
  /** The time of the event popEvent returned last. */
  lastTime = 0;

  get size(): number {
    return this.events.length;
  }

  push(time: number, event: E): void {
    const times = this.times;
    const seqs = this.seqs;
    const events = this.events;
    const seq = this.nextSeq++;
    let i = events.length;
    times.push(time);
    seqs.push(seq);
    events.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (!(time < pt || (time === pt && seq < seqs[parent]))) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      events[i] = events[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    events[i] = event;
  }

  /** The earliest event (its time in lastTime), or undefined when none is queued. */
  popEvent(): E | undefined {
    const times = this.times;
    const seqs = this.seqs;
    const events = this.events;
    const n = events.length - 1;
    if (n < 0) return undefined;
    const top = events[0];
    this.lastTime = times[0];
    const time = times.pop()!;
    const seq = seqs.pop()!;
    const event = events.pop()!;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && (times[r] < times[l] || (times[r] === times[l] && seqs[r] < seqs[l])) ? r : l;
        const ct = times[child];
        if (!(ct < time || (ct === time && seqs[child] < seq))) break;
        times[i] = ct;
        seqs[i] = seqs[child];
        events[i] = events[child];
        i = child;
      }
      times[i] = time;
      seqs[i] = seq;
      events[i] = event;
    }
    return top;
  }
}
