/**
 * A pool of hash workers fed in batches: many small files a message, a large
 * file alone, and two batches in flight per worker so no core waits for the
 * main thread.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { HashResult, HashTask } from './digest.js';
import type { BatchReply, BatchRequest } from './worker.js';

const MAX_BATCH_FILES = 256;
const MAX_BATCH_BYTES = 32 << 20;
const IN_FLIGHT_PER_WORKER = 2;

/** The compiled worker; when running from src (tests), the built copy in dist. */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (fs.existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/hash/worker.js', import.meta.url);
}

interface Slot {
  worker: Worker;
  inFlight: number;
}

interface Pending {
  tasks: HashTask[];
  callbacks: Array<(r: HashResult) => void>;
}

export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly waiting = new Map<number, Pending & { slot: Slot }>();
  private current: Pending = { tasks: [], callbacks: [] };
  private currentBytes = 0;
  private nextId = 0;
  private failure?: Error;
  private drained?: () => void;
  private roomWaiter?: { limit: number; resolve: () => void };
  /** Files queued and not yet handed to a worker. */
  private queuedFiles = 0;
  private fatalReject?: (err: Error) => void;
  bytesQueued = 0;

  constructor(jobs = os.availableParallelism()) {
    const url = workerUrl();
    for (let i = 0; i < Math.max(1, jobs); i++) {
      const worker = new Worker(url);
      const slot: Slot = { worker, inFlight: 0 };
      worker.on('message', (msg: BatchReply) => this.onReply(slot, msg));
      worker.on('error', (err) => this.fail(err));
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** Queues one file; the callback gets its digests or error. */
  add(task: HashTask, size: number, done: (r: HashResult) => void): void {
    if (this.current.tasks.length && (this.currentBytes + size > MAX_BATCH_BYTES)) this.flush();
    this.current.tasks.push(task);
    this.current.callbacks.push(done);
    this.queuedFiles++;
    this.currentBytes += size;
    this.bytesQueued += size;
    if (this.current.tasks.length >= MAX_BATCH_FILES) this.flush();
  }

  /**
   * Resolves once at most `limit` files wait for a worker. The walk awaits it,
   * so on a tree it lists faster than it hashes, queued paths do not pile up.
   */
  async room(limit: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.queuedFiles <= limit) return;
    await new Promise<void>((resolve) => {
      this.roomWaiter = { limit, resolve };
    });
  }

  /** Resolves when every queued file has been hashed; rejects if a worker failed. */
  async finish(): Promise<void> {
    this.flush();
    if (this.failure) throw this.failure;
    if (this.queue.length === 0 && this.waiting.size === 0) return;
    await new Promise<void>((resolve, reject) => {
      this.drained = resolve;
      this.fatalReject = reject;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private flush(): void {
    if (this.current.tasks.length === 0) return;
    this.queue.push(this.current);
    this.current = { tasks: [], callbacks: [] };
    this.currentBytes = 0;
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (slot.inFlight >= IN_FLIGHT_PER_WORKER) return;
      const batch = this.queue.shift()!;
      this.queuedFiles -= batch.tasks.length;
      const id = this.nextId++;
      slot.inFlight++;
      this.waiting.set(id, { ...batch, slot });
      slot.worker.ref();
      slot.worker.postMessage({ id, tasks: batch.tasks } satisfies BatchRequest);
    }
  }

  private onReply(slot: Slot, msg: BatchReply): void {
    if ('fatal' in msg) {
      this.fail(new Error(`hash worker cannot start: ${msg.fatal}`));
      return;
    }
    const batch = this.waiting.get(msg.id);
    if (!batch) return;
    this.waiting.delete(msg.id);
    slot.inFlight--;
    if (slot.inFlight === 0) slot.worker.unref();
    msg.results.forEach((r, i) => batch.callbacks[i]!(r));
    this.dispatch();
    if (this.roomWaiter && this.queuedFiles <= this.roomWaiter.limit) {
      const { resolve } = this.roomWaiter;
      this.roomWaiter = undefined;
      resolve();
    }
    if (this.queue.length === 0 && this.waiting.size === 0) this.drained?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.fatalReject?.(err);
    this.roomWaiter?.resolve();
  }
}
