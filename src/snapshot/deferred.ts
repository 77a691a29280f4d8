/**
 * A scan's weak digests, deferred. Where a file records a secure digest
 * (sha256) and a weak one (xxh64), the scan's workers compute the secure one
 * only: the same sha256 as the baseline's means the same content, so the
 * same xxh64, which is then the baseline's. Only a file whose sha256 differs
 * (or that the baseline did not have) is read again, here, for the rest, with
 * its sha256 again: a file that changed between the two reads is said to have
 * changed while read, not given digests of two different contents. On /usr
 * that is ~0.3 CPU-s less hashing per scan, on two cores. Growing logs, whose
 * digests are compared by prefix, are not deferred.
 */
import type { BytePath, Entry } from '../types.js';
import { DIGEST_ROWS } from '../attrs/registry.js';
import { digestsOfFile } from '../pkg/read-in-root.js';
import { fsPathScratch, rootBytes } from '../paths.js';

const SECURE = new Set(DIGEST_ROWS.filter((r) => r.digest!.secure).map((r) => r.digest!.algorithm));

/** A list of a file's own algorithms split: those hashed now and the weak ones deferred. */
export interface DeferredDigests {
  hashed: readonly string[];
  deferred: readonly string[];
}

const splits = new WeakMap<readonly string[], DeferredDigests | null>();

/**
 * The algorithms to hash now and those to defer, for a list of a file's own
 * algorithms (one shared result per list); null when nothing is deferred
 * (no secure digest to stand for the weak ones, or no weak one).
 */
export function splitDeferred(algos: readonly string[]): DeferredDigests | null {
  let split = splits.get(algos);
  if (split === undefined) {
    const hashed = algos.filter((a) => SECURE.has(a));
    const deferred = algos.filter((a) => !SECURE.has(a));
    split = hashed.length && deferred.length ? { hashed, deferred } : null;
    splits.set(algos, split);
  }
  return split;
}

/**
 * Bytes read again on the main thread before deferring stops: a scan of a
 * host whose files mostly changed (another release, another machine) would
 * otherwise read them all twice, once on this thread. From then on the
 * workers compute every digest, as for a baseline.
 */
const REREAD_BUDGET = 64 * 1024 * 1024;

/** One scan's deferral: whether to defer still, and settling each entry before it is compared. */
export class WeakDigestDeferral {
  /** Read by queueContent for each file queued. */
  active = true;
  private reread = 0;
  private readonly root: BytePath;

  constructor(root: string) {
    this.root = rootBytes(root);
  }

  /**
   * Fills in the entry's deferred digests, before it is compared with `old`
   * (the baseline's entry at its path, if any): taken from `old` when every
   * secure digest is the same, else read again under the root.
   */
  settle(now: Entry, old: Entry | undefined, d: DeferredDigests): void {
    const algos = d.deferred;
    if (now.untested && algos.every((a) => now.untested![a] !== undefined)) return;
    // Called for every file: loops, no arrays, on the common path.
    const secure = d.hashed;
    if (old && sameDigests(secure, old, now)) {
      let all = true;
      for (const a of algos) if (typeof old.attrs[a] !== 'string') all = false;
      if (all) {
        for (const a of algos) now.attrs[a] = old.attrs[a]!;
        return;
      }
    }
    const size = typeof now.attrs.size === 'number' ? now.attrs.size : -1;
    this.reread += Math.max(0, size);
    if (this.reread > REREAD_BUDGET) this.active = false;
    const both = [...secure, ...algos];
    // Read as the workers read: the regular file lstat finds now, opened with no symlink on its path.
    const r = digestsOfFile(fsPathScratch(this.root, now.path), both);
    // Whichever inode is there now, the same sha256 is the same content: its xxh64 is that content's.
    const read = 'error' in r ? undefined : r.digests;
    const same = read !== undefined && secure.every((a) => read[a] === now.attrs[a]);
    for (const a of both) {
      if (same) {
        now.attrs[a] = read[a]!;
        continue;
      }
      // Not the content the first read digested: neither read's digests stand.
      delete now.attrs[a];
      (now.untested ??= {})[a] = 'error' in r ? r.error : 'CHANGED';
    }
  }
}

/** Every secure digest hashed now is a string, the same as the baseline's. */
function sameDigests(secure: readonly string[], old: Entry, now: Entry): boolean {
  for (const a of secure) {
    const v = now.attrs[a];
    if (typeof v !== 'string' || old.attrs[a] !== v) return false;
  }
  return secure.length > 0;
}
