/**
 * N server-SDK stream subscribers as raw TCP sockets in this one process: a hand-written
 * `GET /sdk/v1/stream HTTP/1.1`, and of the response only the status line, `event: put|patch`
 * followed by `id: <revision>`, and `: heartbeat` comments. Reads go through `onread` into one
 * shared buffer (consumed synchronously), so 10,000 sockets cost no stream machinery per read.
 *
 * The body is chunked (no Content-Length on a stream), but the server writes each event with one
 * `write()`, so chunk-size lines only ever sit between events; a pattern split across two reads
 * is kept in a short carry-over string.
 */
import { connect, type Socket } from "node:net";

const READ_BUFFER = Buffer.alloc(64 * 1024);
const PATTERN = /event: (put|patch)\nid: (\d+)\n|(: heartbeat\n)/g;
/** Longer than any partial match that can be left at the end of a read. */
const CARRY = 48;

interface Subscriber {
  index: number;
  socket: Socket;
  carry: string;
  headerDone: boolean;
  putRevision: number;
  /** Resolves the promise `open` waits on: the put arrived, or the connection failed. */
  settle?: () => void;
}

interface Slot {
  times: Float64Array;
  received: number;
  expected: number;
  done: () => void;
}

export class SubscriberPool {
  private readonly subscribers: Subscriber[] = [];
  private readonly slots = new Map<number, Slot>();
  private closing = false;
  readonly problems: string[] = [];
  heartbeats = 0;
  /** performance.now() of the first heartbeat read of each burst (bursts ≥ 1 s apart). */
  readonly heartbeatBursts: number[] = [];
  private lastBurst = Number.NEGATIVE_INFINITY;
  unexpectedPatches = 0;
  duplicatePatches = 0;
  closedEarly = 0;

  constructor(
    private readonly port: number,
    private readonly serverKey: string,
  ) {}

  get size(): number {
    return this.subscribers.length;
  }

  /** Distinct revisions of the puts received (one when nothing changed while connecting). */
  putRevisions(): number[] {
    return [...new Set(this.subscribers.map((s) => s.putRevision))].sort((a, b) => a - b);
  }

  /**
   * Opens `count` more subscribers, `batch` at a time, each batch waiting until all of its
   * connections have their `put` (or failed), so the server's accept queue never holds more than
   * one batch. Rejects if a batch takes longer than `batchTimeoutMs`.
   */
  async open(count: number, batch: number, batchTimeoutMs: number): Promise<void> {
    const target = this.subscribers.length + count;
    while (this.subscribers.length < target) {
      const n = Math.min(batch, target - this.subscribers.length);
      const pending: Promise<void>[] = [];
      for (let i = 0; i < n; i++) pending.push(this.openOne());
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`a batch of ${n} streams did not all get their put within ${batchTimeoutMs} ms`)), batchTimeoutMs);
      });
      try {
        await Promise.race([Promise.all(pending), timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (this.problems.length > 0) throw new Error(`stream connections failed: ${this.problems.slice(0, 5).join("; ")}`);
    }
  }

  private openOne(): Promise<void> {
    const index = this.subscribers.length;
    return new Promise<void>((resolve) => {
      const sub: Subscriber = { index, socket: undefined as unknown as Socket, carry: "", headerDone: false, putRevision: -1, settle: resolve };
      sub.socket = connect({
        host: "127.0.0.1",
        port: this.port,
        onread: { buffer: READ_BUFFER, callback: (nread: number) => {
          this.onRead(sub, nread);
          return true;
        } },
      });
      this.subscribers.push(sub);
      sub.socket.setNoDelay(true);
      sub.socket.write(
        `GET /sdk/v1/stream HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\nAuthorization: Bearer ${this.serverKey}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      sub.socket.on("error", (error) => {
        if (!this.closing) this.problems.push(`subscriber ${index}: ${error.message}`);
      });
      sub.socket.on("close", () => {
        if (!this.closing) {
          this.closedEarly++;
          if (sub.putRevision < 0) this.problems.push(`subscriber ${index}: closed before its put`);
        }
        this.release(sub);
      });
    });
  }

  private release(sub: Subscriber): void {
    const settle = sub.settle;
    sub.settle = undefined;
    settle?.();
  }

  private onRead(sub: Subscriber, nread: number): void {
    const now = performance.now();
    let text = sub.carry + READ_BUFFER.toString("latin1", 0, nread);
    if (!sub.headerDone) {
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        sub.carry = text;
        return;
      }
      const status = text.slice(0, text.indexOf("\r\n"));
      if (!status.startsWith("HTTP/1.1 200 ")) {
        this.problems.push(`subscriber ${sub.index}: ${status} ${text.slice(end + 4, end + 200)}`);
        sub.socket.destroy();
        this.release(sub);
        return;
      }
      sub.headerDone = true;
      text = text.slice(end + 4);
    }
    PATTERN.lastIndex = 0;
    let consumed = 0;
    for (let m = PATTERN.exec(text); m !== null; m = PATTERN.exec(text)) {
      consumed = PATTERN.lastIndex;
      if (m[3] !== undefined) {
        this.heartbeats++;
        if (now - this.lastBurst > 1000) this.heartbeatBursts.push((this.lastBurst = now));
      }
      else if (m[1] === "patch") this.onPatch(sub, Number(m[2]), now);
      else {
        sub.putRevision = Number(m[2]);
        this.release(sub);
      }
    }
    sub.carry = text.slice(Math.max(consumed, text.length - CARRY));
  }

  private onPatch(sub: Subscriber, revision: number, now: number): void {
    const slot = this.slots.get(revision);
    if (!slot) {
      this.unexpectedPatches++;
      return;
    }
    if (!Number.isNaN(slot.times[sub.index]!)) {
      this.duplicatePatches++;
      return;
    }
    slot.times[sub.index] = now;
    if (++slot.received === slot.expected) slot.done();
  }

  /**
   * Starts waiting for the patch with id `revision` on every subscriber. `received` resolves once
   * all have it, or after `timeoutMs`; `times[i]` is performance.now() when subscriber i read it
   * (NaN if it never did).
   */
  expect(revision: number, timeoutMs: number): { times: Float64Array; received: Promise<void> } {
    const times = new Float64Array(this.subscribers.length).fill(Number.NaN);
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    this.slots.set(revision, { times, received: 0, expected: this.subscribers.length, done });
    let timer: NodeJS.Timeout | undefined;
    const received = Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]).finally(() => clearTimeout(timer));
    return { times, received };
  }

  /** Stops listening for a revision; later copies count as unexpected. */
  forget(revision: number): void {
    this.slots.delete(revision);
  }

  destroy(): void {
    this.closing = true;
    for (const sub of this.subscribers) sub.socket.destroy();
    this.subscribers.length = 0;
  }
}
