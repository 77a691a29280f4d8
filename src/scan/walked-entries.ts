/**
 * The walk's entries as the package half of a scan looks them up. A scan
 * compares each entry as it comes and drops it, so it keeps only those the
 * package checks can ask about: the package databases' paths (and their
 * merged-/usr twins), the directories above them, every symlink (a path is
 * resolved through them), the start paths, and every path with a finding.
 * Where it kept nothing and was not told to keep, it says it does not know:
 * a package finding there is then never vouched for.
 */
import type { BytePath, Entry } from '../types.js';
import { lowerBound } from '../paths.js';
import { BELOW, DIR, keptPaths } from './kept-paths.js';

export interface WalkedEntries {
  /** The entry the walk recorded at path, if it kept one. */
  get(path: BytePath): Entry | undefined;
  /** True when an absent entry means the walk found nothing there (not merely that it kept nothing). */
  knows(path: BytePath): boolean;
  /** True when the walk recorded something below the directory. */
  hasBelow(dir: BytePath): boolean;
}

/** Every entry, sorted by path bytes: diff's second baseline, tests. */
export class SortedEntries implements WalkedEntries {
  constructor(private readonly entries: readonly Entry[]) {}

  /** Binary search for the first entry at or after `path`. */
  private lowerBound(path: BytePath): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.path < path) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(path: BytePath): Entry | undefined {
    const e = this.entries[this.lowerBound(path)];
    return e?.path === path ? e : undefined;
  }

  knows(): boolean {
    return true;
  }

  hasBelow(dir: BytePath): boolean {
    const prefix = dir === '/' ? '/' : dir + '/';
    const i = this.lowerBound(prefix);
    return [i, i + 1].some((j) => {
      const p = this.entries[j]?.path;
      return p !== undefined && p !== dir && p.startsWith(prefix);
    });
  }
}

/** True when `path` is `dir` or lies below it. */
function within(path: BytePath, dir: BytePath): boolean {
  return path.startsWith(dir) && (path.length === dir.length || dir === '/' || path.charCodeAt(dir.length) === 0x2f);
}

/**
 * What a streamed scan keeps, offered each entry as the walk hands it on, in
 * path byte order. On a whole host it is asked about ~100,000 packaged paths
 * (and their twins) and offered every entry: those paths and the directories
 * above them are one sorted list the walk's order moves through, and an entry
 * found on it is kept in a slot beside it, not hashed into a map. The list is
 * merged from sorted runs (the package data's rows come sorted; their twins
 * are sorted runs of them), not sorted whole. An entry's parent is looked up
 * only where it differs from the entry before's.
 */
export class KeptEntries implements WalkedEntries {
  /** The paths asked about and the directories above them (and /), sorted by bytes, each once. */
  private readonly paths: BytePath[];
  /** WANTED, DIR and BELOW, per path of `paths`. */
  private readonly flags: Uint8Array;
  /** The entry the walk recorded at each path of `paths`, where it recorded one. */
  private readonly slots: Array<Entry | undefined>;
  /** Entries kept off the list: symlinks, and entries with a finding. */
  private readonly others = new Map<BytePath, Entry>();
  /** Where the walk's order has reached in `paths`, and the last path offered. */
  private next = 0;
  private last = '';
  /** The last offered entry's parent directory and its index in `paths` (-1: not a DIR there): siblings come one after another. */
  private parent = '';
  private parentAt = -1;
  /** The directories offered that the walk is still in, outermost first, each with its index in `paths`. */
  private readonly open: Array<{ path: BytePath; at: number }> = [];

  constructor(paths: Iterable<BytePath>, starts: Iterable<BytePath>) {
    const all = keptPaths(paths, starts);
    this.paths = all.paths;
    this.flags = all.flags;
    this.slots = new Array<Entry | undefined>(all.paths.length);
  }

  /** The index of `path` in `paths`, or -1. */
  private indexOf(path: BytePath): number {
    const i = lowerBound(this.paths, path);
    return this.paths[i] === path ? i : -1;
  }

  /** indexOf for paths offered in walk order: a cursor moved along the list; a path out of that order is looked up. */
  private walkIndexOf(path: BytePath): number {
    if (!(path > this.last)) return this.indexOf(path);
    this.last = path;
    const paths = this.paths;
    let i = this.next;
    while (i < paths.length && paths[i]! < path) i++;
    this.next = i;
    return paths[i] === path ? i : -1;
  }

  offer(e: Entry): void {
    const path = e.path;
    const at = this.walkIndexOf(path);
    if (path !== '/') {
      const cut = path.lastIndexOf('/');
      const same = cut > 0 ? cut === this.parent.length && path.startsWith(this.parent) : this.parent === '/';
      if (!same) {
        this.parent = cut <= 0 ? '/' : path.slice(0, cut);
        const p = this.openAt(this.parent);
        this.parentAt = p >= 0 && this.flags[p]! & DIR ? p : -1;
      }
      if (this.parentAt >= 0) this.flags[this.parentAt]! |= BELOW;
    }
    if (e.kind === 'dir') {
      this.openAt(this.parent);
      this.open.push({ path, at });
    }
    if (at >= 0) this.slots[at] = e;
    else if (e.kind === 'symlink') this.others.set(path, e);
  }

  /**
   * The index of `dir` in `paths` (-1: not there): from the directories the
   * walk has entered, closing those `dir` is not in; looked up when the walk
   * did not offer it (the start paths' parents) or offered out of order.
   */
  private openAt(dir: BytePath): number {
    const open = this.open;
    while (open.length > 0 && !within(dir, open[open.length - 1]!.path)) open.pop();
    const top = open[open.length - 1];
    return top?.path === dir ? top.at : this.indexOf(dir);
  }

  /** An entry with a finding: kept whatever its path. */
  keep(e: Entry): void {
    const at = this.indexOf(e.path);
    if (at >= 0) this.slots[at] = e;
    else this.others.set(e.path, e);
  }

  get(path: BytePath): Entry | undefined {
    const at = this.indexOf(path);
    return (at >= 0 ? this.slots[at] : undefined) ?? this.others.get(path);
  }

  knows(path: BytePath): boolean {
    return this.indexOf(path) >= 0 || this.others.has(path);
  }

  hasBelow(dir: BytePath): boolean {
    const at = this.indexOf(dir);
    return at >= 0 && (this.flags[at]! & BELOW) !== 0;
  }
}
