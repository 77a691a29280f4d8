/**
 * A pool of hash workers fed in batches: many small files a message, a large
 * file alone, and four batches in flight per worker so no core waits for the
 * main thread.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { HashResult, HashTask } from './digest.js';
import { AnswerReader, BatchBuilder, type BatchReply } from './batch.js';

const MAX_BATCH_FILES = 256;
const MAX_BATCH_BYTES = 32 << 20;
/**
 * Four, not two: the main thread stops answering for tens of milliseconds at a
 * time (a large directory, a collection, the final sort), and with two the
 * workers of a /usr baseline sat idle for another 0.2 s of it.
 */
const IN_FLIGHT_PER_WORKER = 4;

/** The compiled worker; when running from src (tests), the built copy in dist. */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (fs.existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/hash/worker.js', import.meta.url);
}

export interface WorkerData {
  /** Files a worker may hold open ahead of the one it hashes. */
  aheadFiles: number;
}

/**
 * Descriptors a worker thread needs: 4 held (its event loop's epoll, eventfd,
 * ...) and more while it loads its modules, which it reads several at a time.
 * With 6, five workers starting together under `ulimit -n 64` on a loaded
 * machine ran out (EMFILE loading a module: a crash, not a result).
 */
export const FDS_PER_WORKER = 8;
/** The main thread's own: about 20, plus the walk's and the output's. */
export const FDS_RESERVED = 32;

/**
 * Read-ahead holds descriptors; the CLI fits --jobs to `ulimit -n` at
 * FDS_PER_WORKER a worker plus FDS_RESERVED (cli/common.ts). Each worker may
 * use half of what that leaves for files opened ahead (none under a tight
 * limit), so the walk never runs short.
 */
export function aheadFilesFor(jobs: number, limit = openFileLimit()): number {
  if (limit === undefined) return MAX_AHEAD_FILES;
  const spare = limit - FDS_RESERVED - FDS_PER_WORKER * jobs;
  return Math.max(0, Math.min(MAX_AHEAD_FILES, Math.floor(spare / (2 * jobs))));
}

/** native/hashfile.h: AHEAD_FILES - 1. */
const MAX_AHEAD_FILES = 63;

/** Soft RLIMIT_NOFILE from /proc (Node has no getrlimit); undefined when unknown or unlimited. */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Slot {
  worker: Worker;
  inFlight: number;
}

/** A worker started before its pool: what it said meanwhile, kept for the pool that adopts it. */
interface Started {
  worker: Worker;
  heard: Array<['message', BatchReply] | ['error', Error]>;
  forget(): void;
}

/** Workers started ahead (startHashWorkers), waiting for the next pool of that size. */
let started: { jobs: number; workers: Started[] } | undefined;

function spawn(url: URL, jobs: number): Worker {
  return new Worker(url, { workerData: { aheadFiles: aheadFilesFor(jobs) } satisfies WorkerData });
}

/**
 * Starts a pool's workers now, for the next HashPool of `jobs` workers: a
 * worker takes ~50 ms to load its modules, and a scan has ~0.1 s of its own
 * to do on the main thread (the baseline's signature) before its walk hands
 * out the first files. Until a pool adopts them they hold the process open
 * only as long as they load (unref'd), and what they say is kept.
 */
export function startHashWorkers(jobs = os.availableParallelism()): void {
  const n = Math.max(1, jobs);
  if (started?.jobs === n) return;
  stopStartedWorkers();
  const url = workerUrl();
  const workers: Started[] = [];
  for (let i = 0; i < n; i++) {
    const worker = spawn(url, n);
    const heard: Started['heard'] = [];
    const onMessage = (m: BatchReply) => heard.push(['message', m]);
    const onError = (e: Error) => heard.push(['error', e]);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.unref();
    workers.push({ worker, heard, forget: () => { worker.off('message', onMessage); worker.off('error', onError); } });
  }
  started = { jobs: n, workers };
}

/** Ends workers started ahead that no pool took (a scan that failed before its walk). */
export function stopStartedWorkers(): void {
  for (const s of started?.workers ?? []) {
    s.forget();
    void s.worker.terminate();
  }
  started = undefined;
}

function adoptStarted(jobs: number): Started[] | undefined {
  if (started?.jobs !== jobs) return undefined;
  const { workers } = started;
  started = undefined;
  return workers;
}

interface Pending<T> {
  batch: BatchBuilder;
  /** The caller's item for each file, handed back with its result. */
  items: T[];
}

/** Receives each file's result with the item it was added with. */
export type Deliver<T> = (item: T, size: number, result: HashResult) => void;

export class HashPool<T> {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<Pending<T>> = [];
  private readonly waiting = new Map<number, Pending<T> & { slot: Slot }>();
  private current: Pending<T> = newPending();
  private nextId = 0;
  private failure?: Error;
  private drained?: () => void;
  private replied?: () => void;
  private roomWaiter?: { limit: number; resolve: () => void };
  /** Files queued and not yet handed to a worker. */
  private queuedFiles = 0;
  /** Bytes of the files added and not yet answered for. */
  private unanswered = 0;
  private fatalReject?: (err: Error) => void;

  constructor(private readonly deliver: Deliver<T>, jobs = os.availableParallelism()) {
    const n = Math.max(1, jobs);
    const adopted = adoptStarted(n);
    const url = adopted ? undefined : workerUrl();
    for (let i = 0; i < n; i++) {
      const worker = adopted ? adopted[i]!.worker : spawn(url!, n);
      const slot: Slot = { worker, inFlight: 0 };
      worker.on('message', (msg: BatchReply) => this.onReply(slot, msg));
      worker.on('error', (err) => this.fail(err));
      worker.unref();
      this.slots.push(slot);
    }
    // What a worker started ahead said before this pool had it (a failed start, most likely).
    for (const [i, s] of (adopted ?? []).entries()) {
      s.forget();
      for (const [kind, what] of s.heard) {
        if (kind === 'error') this.fail(what);
        else this.onReply(this.slots[i]!, what);
      }
    }
  }

  /** Queues one file; `deliver` gets its digests or error, with `item`. */
  add(task: HashTask, item: T): void {
    const { batch } = this.current;
    if (batch.length && batch.bytes + task.size > MAX_BATCH_BYTES) this.flush();
    this.current.batch.add(task);
    this.current.items.push(item);
    this.queuedFiles++;
    this.unanswered += task.size;
    if (this.current.batch.length >= MAX_BATCH_FILES) this.flush();
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

  /** Bytes added and not yet hashed: how far the walk is ahead of the workers. */
  get bytesAhead(): number {
    return this.unanswered;
  }

  /**
   * Hands every queued file to a worker now, past the usual few batches each:
   * before the main thread stops answering for a while (a scan's package
   * data), so the workers have that much to hash meanwhile.
   */
  handOutAll(): void {
    this.flush();
    this.dispatch(Infinity);
  }

  /**
   * Hands every queued file on, then resolves at the next answer, or at once
   * when none is outstanding (true: all hashed). A walk that has listed
   * everything takes in the answers as they come, not all at the end.
   */
  async nextAnswer(): Promise<boolean> {
    this.flush();
    if (this.failure) throw this.failure;
    if (this.queue.length === 0 && this.waiting.size === 0) return true;
    await new Promise<void>((resolve) => {
      this.replied = resolve;
    });
    if (this.failure) throw this.failure;
    return false;
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
    if (this.current.batch.length === 0) return;
    this.queue.push(this.current);
    this.current = newPending();
    this.dispatch();
  }

  private dispatch(inFlight = IN_FLIGHT_PER_WORKER): void {
    while (this.queue.length) {
      const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (slot.inFlight >= inFlight) return;
      const pending = this.queue.shift()!;
      this.queuedFiles -= pending.items.length;
      const id = this.nextId++;
      slot.inFlight++;
      this.waiting.set(id, { ...pending, slot });
      slot.worker.ref();
      const { request, transfer } = pending.batch.seal(id);
      slot.worker.postMessage(request, transfer);
    }
  }

  private onReply(slot: Slot, msg: BatchReply): void {
    if ('fatal' in msg) {
      this.fail(new Error(`hash worker cannot start: ${msg.fatal}`));
      return;
    }
    const pending = this.waiting.get(msg.id);
    if (!pending) return;
    this.waiting.delete(msg.id);
    slot.inFlight--;
    if (slot.inFlight === 0) slot.worker.unref();
    const { batch } = pending;
    this.unanswered -= batch.bytes;
    const answer = new AnswerReader(msg, batch.algos);
    for (let i = 0; i < pending.items.length; i++) this.deliver(pending.items[i]!, batch.sizeOf(i), answer.result(i, batch.bitsOf(i)));
    this.dispatch();
    if (this.roomWaiter && this.queuedFiles <= this.roomWaiter.limit) {
      const { resolve } = this.roomWaiter;
      this.roomWaiter = undefined;
      resolve();
    }
    const replied = this.replied;
    this.replied = undefined;
    replied?.();
    if (this.queue.length === 0 && this.waiting.size === 0) this.drained?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.fatalReject?.(err);
    this.roomWaiter?.resolve();
    this.replied?.();
  }
}

function newPending<T>(): Pending<T> {
  return { batch: new BatchBuilder(), items: [] };
}
