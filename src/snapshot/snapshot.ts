/**
 * A snapshot of a tree: the walk on the main thread, content digests in the
 * hash pool, each entry handed on in path byte order once complete and then
 * dropped. Baseline and scan both stream it; update and tests collect it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath, Entry } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { OrderedWalk } from '../walk/ordered.js';
import type { FsPort } from '../walk/fsport.js';
import { HashPool } from '../hash/pool.js';
import { fill, newSlot, queueContent, type Slot } from './content.js';
import type { DeferredDigests } from './deferred.js';
import { startsNotWalked } from './starts.js';
import { rootBytes } from '../paths.js';
import { heapWatcher } from '../memory.js';
import { giveWalkPriority } from '../beside-walk.js';

export interface SnapshotOptions {
  root: string;
  policy: Policy;
  jobs?: number;
  fs?: FsPort;
  /** For growing logs: the baseline's size, so the old content can be checked as a prefix. */
  prefixFor?(path: BytePath): number | undefined;
  progress?(p: { entries: number; files: number; bytes: number }): void;
  /** Told what the walk could not use (see WalkOptions.onWarning). */
  onWarning?(message: string): void;
  /**
   * More digests of regular files, hashed in the same read (package checks):
   * algosFor is asked as each file is queued, take() gets them when they arrive.
   */
  extraDigests?: {
    /** `own`: the algorithms the entry itself records (hashed anyway). */
    algosFor(path: BytePath, own: readonly string[]): readonly string[] | undefined;
    take(path: BytePath, digests: Record<string, string>): void;
  };
  /**
   * Main-thread work that need not come before the walk (a scan's package
   * half, ~0.1-0.2 s on a whole host, while the workers would wait): run once,
   * when the walk is `afterBytes` of files ahead of the hashing, every queued
   * file handed to the workers first so they hash while it runs; or after
   * `afterEntries` entries (what waits on it is held until then: a tree of
   * tiny files never gets far ahead); or at the end of the walk.
   */
  interlude?: { afterBytes: number; afterEntries: number; run(): void | Promise<void> };
  /**
   * A scan's: while active, weak digests beside a secure one are not computed
   * but named to the sink, for its settle() before the compare (deferred.ts).
   */
  deferWeakDigests?: { readonly active: boolean };
  /**
   * Heap growth between forced full collections (default COLLECT_AFTER_GROWTH):
   * more where the caller keeps much on purpose beside the walk.
   */
  collectAfterGrowth?: number;
}

/**
 * Heap growth between full collections during a walk: V8 would otherwise let
 * the walk's garbage pile up beside what it keeps (about as much again). A
 * walk of /usr never reaches it; a million entries collect a few times.
 */
const COLLECT_AFTER_GROWTH = 64 * 1024 * 1024;

/**
 * How far the walk may run ahead of the hashing. Where files are large the
 * walk gets ahead; where they are tiny (locales, zoneinfo) the hashing catches
 * up, and on 2 cores the walk, sharing them with the workers, is then the
 * slower: with 8192 the workers of a /usr baseline sat idle for 0.7 s between
 * them, with 65536 (a few MB of queued paths) for 0.45 s. Queued files hold
 * only references to entries the walk keeps anyway.
 */
const MAX_QUEUED_FILES = 65536;

/**
 * While the files queued and not yet hashed are fewer bytes than this (~0.1 s
 * of both workers' hashing), the walk has the main thread before the work
 * beside it (beside-walk.ts), which otherwise left the workers idle.
 */
const WALK_FIRST_UNTIL_BYTES = 384 * 1024 * 1024;

/** Entries between two yields to the event loop (progress, worker replies, the sink's writes). */
const YIELD_EVERY = 512;

export interface Snapshot {
  entries: Entry[];
  unlisted: Map<BytePath, string>;
  /** Include paths (not include-if-present) that gave no entry, with why. */
  notWalked: Map<BytePath, string>;
}

/** What a streamed snapshot leaves once its entries have gone by: counts and the small maps. */
export interface SnapshotSummary {
  entries: number;
  files: number;
  bytes: number;
  unlisted: Map<BytePath, string>;
  notWalked: Map<BytePath, string>;
}

/**
 * Receives each entry, in path byte order, complete but for the weak digests
 * `deferred` names (deferWeakDigests); a promise holds the walk until it settles (a full pipe).
 */
export type EntrySink = (entry: Entry, deferred?: DeferredDigests) => void | Promise<void>;

/**
 * Entries walked and not yet handed on: the walk emits in path order, the
 * pool finishes batches out of order, so an entry waits here until every
 * entry before it is complete. The walk stops to let the pool catch up when
 * it holds more than this (pool.room bounds the files; this bounds the rest).
 */
const REORDER_WINDOW = 2 * MAX_QUEUED_FILES;

/** The whole snapshot in memory (update, tests): streamSnapshot collected into a sorted list. */
export async function takeSnapshot(opts: SnapshotOptions): Promise<Snapshot> {
  const entries: Entry[] = [];
  const summary = await streamSnapshot(opts, (e) => void entries.push(e));
  return { entries, unlisted: summary.unlisted, notWalked: summary.notWalked };
}

/** Walks, hashes, and hands each entry to `sink` in path byte order, keeping none. */
export async function streamSnapshot(opts: SnapshotOptions, sink: EntrySink): Promise<SnapshotSummary> {
  let files = 0;
  let bytes = 0;
  const pool = new HashPool<Slot>((slot, size, r) => {
    files++;
    bytes += size;
    slot.pending = false;
    fill(slot, r, opts);
  }, opts.jobs);
  const queue: Array<Slot | undefined> = [];
  let head = 0;
  const drain = async (): Promise<void> => {
    while (head < queue.length && !queue[head]!.pending) {
      const slot = queue[head]!;
      queue[head++] = undefined;
      const held = sink(slot.entry, slot.deferred);
      if (held) await held;
    }
    if (head >= 4096 && head * 2 >= queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  };
  const watchHeap = heapWatcher(opts.collectAfterGrowth ?? COLLECT_AFTER_GROWTH);
  const root = rootBytes(opts.root);
  const ordered = new OrderedWalk({ root: opts.root, policy: opts.policy, fs: opts.fs, onWarning: opts.onWarning });
  let interlude = opts.interlude;
  const runInterlude = async (): Promise<void> => {
    const work = interlude;
    if (!work) return;
    interlude = undefined;
    pool.handOutAll();
    await work.run();
  };
  // Work beside the walk (besideWalk) waits while the walk pauses and is not far ahead of the workers.
  let pausing = false;
  const endPriority = giveWalkPriority(() => pausing && pool.bytesAhead < WALK_FIRST_UNTIL_BYTES);
  try {
    let sinceYield = 0;
    for (const step of ordered.steps()) {
      const slot: Slot = newSlot(step.entry);
      if (step.digests.length) queueContent(pool, slot, step, root, opts);
      queue.push(slot);
      if (++sinceYield < YIELD_EVERY) continue;
      sinceYield = 0;
      opts.progress?.({ entries: ordered.count, files, bytes });
      watchHeap();
      if (interlude && (pool.bytesAhead >= interlude.afterBytes || ordered.count >= interlude.afterEntries)) await runInterlude();
      // Let worker replies in, so the pool keeps both cores busy, and wait
      // when the walk runs far ahead of the hashing.
      pausing = true;
      await nextTurn();
      pausing = false;
      await pool.room(MAX_QUEUED_FILES);
      await drain();
      if (queue.length - head > REORDER_WINDOW) {
        await pool.finish();
        await drain();
      }
    }
    await runInterlude();
    // Listed: each answer's entries are handed on as it comes (compared, encoded), not all once hashed.
    while (!(await pool.nextAnswer())) await drain();
    await pool.finish();
    await drain();
    opts.progress?.({ entries: ordered.count, files, bytes });
    const notWalked = startsNotWalked(opts.policy, ordered.finishStarts());
    return { entries: ordered.count, files, bytes, unlisted: ordered.unlisted, notWalked };
  } finally {
    endPriority();
    await pool.close();
  }
}

/** The extra-digest hook's shape, for those who implement it (pkg/md5-record.ts). */
export type ExtraDigests = NonNullable<SnapshotOptions['extraDigests']>;
