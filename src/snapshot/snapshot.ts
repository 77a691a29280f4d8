/**
 * A snapshot of a tree: the walk on the main thread, content digests in the
 * hash pool, joined into one sorted Entry list. Baseline and scan both use it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath, Entry } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { walk } from '../walk/walker.js';
import type { FsPort } from '../walk/fsport.js';
import { HashPool } from '../hash/pool.js';
import { ATTRIBUTES, DIGEST_ROWS, KEEP_CONTENT_BYTES, withheldContent } from '../attrs/registry.js';
import { startsNotWalked } from './starts.js';
import { rootBytes } from '../paths.js';
import { collectGarbage, heapWatcher } from '../memory.js';

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
  /** Digests some files need besides their attributes (a dpkg md5), computed in the same read. */
  extraDigests?: ExtraDigests;
}

/**
 * Asked once per walked regular file when it is queued (a growing log is not
 * asked); take() gets the algorithms asked for when its digests arrive, not
 * when the file could not be read. They are not stored in the entry.
 */
export interface ExtraDigests {
  algosFor(path: BytePath): readonly string[] | undefined;
  take(path: BytePath, digests: Record<string, string>): void;
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

/** The attributes the hash pool fills in (digests, kept content). */
const CONTENT_ATTRS = ATTRIBUTES.filter((row) => row.source === 'content').map((row) => row.name);

/** Digest attribute name -> the algorithm the pool runs, and back. */
const ALGORITHM = new Map(DIGEST_ROWS.map((row) => [row.name, row.digest!.algorithm]));
const DIGEST_ATTR = new Map(DIGEST_ROWS.map((row) => [row.digest!.algorithm, row.name]));

/** The pool's digests, by algorithm, as attribute values by name. */
function byAttr(digests: Partial<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [algo, value] of Object.entries(digests ?? {})) if (value !== undefined) out[DIGEST_ATTR.get(algo) ?? algo] = value;
  return out;
}

export interface Snapshot {
  entries: Entry[];
  unlisted: Map<BytePath, string>;
  /** Include paths (not include-if-present) that gave no entry, with why. */
  notWalked: Map<BytePath, string>;
}

/** Others may read it: only then is its text kept (a 0600 unit may hold a password). */
const WORLD_READABLE = 0o004;

/** Entries whose content is withheld: the pool fills in their digest, never their text. */
const withheld = new WeakSet<Entry>();

/** Entries with extra digests: the algorithms the entry itself wants, and the extra ones. */
const extras = new WeakMap<Entry, { own: string[]; extra: readonly string[] }>();

/** The extra digests out of the pool's result, and the pool's result left with the entry's own. */
function splitExtra(entry: Entry, digests: Partial<Record<string, string>> | undefined, take: ExtraDigests['take'] | undefined) {
  const x = extras.get(entry);
  if (!x || !digests) return digests;
  const got: Record<string, string> = {};
  for (const a of x.extra) if (digests[a] !== undefined) got[a] = digests[a]!;
  take?.(entry.path, got);
  return Object.fromEntries(x.own.map((a) => [a, digests[a]]));
}

export async function takeSnapshot(opts: SnapshotOptions): Promise<Snapshot> {
  let files = 0;
  let bytes = 0;
  const pool = new HashPool<Entry>((entry, size, r) => {
    files++;
    bytes += size;
    if (r.error) {
      for (const name of CONTENT_ATTRS) {
        if (!(name in entry.attrs)) continue;
        delete entry.attrs[name];
        (entry.untested ??= {})[name] = r.error;
      }
      return;
    }
    // The walk left null placeholders in registry order; filling them keeps that order.
    const digests = byAttr(splitExtra(entry, r.digests, opts.extraDigests?.take));
    Object.assign(entry.attrs, digests);
    if (withheld.has(entry)) entry.attrs.content = withheldContent(DIGEST_ROWS.map((row) => digests[row.name]).find((d) => d !== undefined));
    else if ('content' in entry.attrs) entry.attrs.content = r.content ?? null;
    if (r.prefix) entry.prefix = byAttr(r.prefix);
  }, opts.jobs);
  const watchHeap = heapWatcher(COLLECT_AFTER_GROWTH);
  const root = rootBytes(opts.root);
  try {
    const result = await walk({
      root: opts.root,
      policy: opts.policy,
      fs: opts.fs,
      onWarning: opts.onWarning,
      onContent(entry, st, wanted) {
        const algos = wanted.flatMap((n) => ALGORITHM.get(n) ?? []);
        let keep = wanted.includes('content') ? KEEP_CONTENT_BYTES : undefined;
        if (keep !== undefined && !(st.mode & WORLD_READABLE)) {
          keep = undefined;
          withheld.add(entry);
          // The marker carries a digest, so a change still shows; the table's first when none was asked for.
          if (algos.length === 0) algos.push(DIGEST_ROWS[0]!.digest!.algorithm);
        }
        const extra = entry.growing ? undefined : opts.extraDigests?.algosFor(entry.path);
        if (extra?.length) extras.set(entry, { own: [...algos], extra });
        pool.add({
          path: root === '/' ? entry.path : root + entry.path,
          ino: st.ino,
          dev: st.dev,
          size: st.size,
          algos: extra?.length ? [...new Set([...algos, ...extra])] : algos,
          prefix: entry.growing ? opts.prefixFor?.(entry.path) : undefined,
          keep,
        }, entry);
      },
      onProgress: async (entries) => {
        opts.progress?.({ entries, files, bytes });
        watchHeap();
        // Let worker replies in, so the pool keeps both cores busy, and wait
        // when the walk runs far ahead of the hashing.
        await nextTurn();
        await pool.room(MAX_QUEUED_FILES);
      },
    });
    await pool.finish();
    // The walk's garbage goes now, before the caller encodes or compares; on a
    // small tree (/usr: ~100 MB) that 80 ms would only delay the result.
    collectGarbage(256 * 1024 * 1024);
    opts.progress?.({ entries: result.entries.length, files, bytes });
    return { ...result, notWalked: startsNotWalked(opts.policy, result.notWalked) };
  } finally {
    await pool.close();
  }
}
