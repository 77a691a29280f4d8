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
import { hasPathBelow, keptPaths } from './kept-paths.js';

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
 * (and their twins) and offered every entry: those paths are one sorted list
 * the walk's order moves through, and an entry found on it is kept in a slot
 * beside it, not hashed into a map. The list is merged from sorted runs
 * (kept-paths.ts). A directory above a listed path is one the list has a path
 * below: asked where the walk meets a directory (or anything off the list),
 * near where the walk's order is, not worked out for every path beforehand.
 * An entry's parent is looked at only where it differs from the entry before's.
 */
export class KeptEntries implements WalkedEntries {
  /** The paths asked about, sorted by bytes, each once. */
  private readonly wanted: BytePath[];
  /** The entry the walk recorded at each of `wanted`, where it recorded one. */
  private readonly slots: Array<Entry | undefined>;
  /** Entries kept off the list: directories above it, symlinks, entries with a finding. */
  private readonly others = new Map<BytePath, Entry>();
  /** Directories above the list that the walk recorded something below. */
  private readonly withChildren = new Set<BytePath>();
  /** Where the walk's order has reached in `wanted` (the first not before the last path offered), and that path. */
  private next = 0;
  private last = '';
  /** The last offered entry's parent directory: siblings come one after another. */
  private parent = '';
  /** The directories offered that the walk is still in, outermost first, each with whether it is above the list. */
  private readonly open: Array<{ path: BytePath; above: boolean }> = [];

  constructor(paths: Iterable<BytePath>, starts: Iterable<BytePath>) {
    this.wanted = keptPaths(paths, starts);
    this.slots = new Array<Entry | undefined>(this.wanted.length);
  }

  /** The index of `path` in `wanted`, or -1. */
  private indexOf(path: BytePath): number {
    const i = lowerBound(this.wanted, path);
    return this.wanted[i] === path ? i : -1;
  }

  /** indexOf for paths offered in walk order: a cursor moved along the list; a path out of that order is looked up. */
  private walkIndexOf(path: BytePath): number {
    if (!(path > this.last)) return this.indexOf(path);
    this.last = path;
    const wanted = this.wanted;
    let i = this.next;
    while (i < wanted.length && wanted[i]! < path) i++;
    this.next = i;
    return wanted[i] === path ? i : -1;
  }

  /** True when the list has a path below `dir`; for the path just offered, searched from where the walk is. */
  private above(dir: BytePath): boolean {
    return hasPathBelow(this.wanted, dir, dir === this.last ? this.next : 0);
  }

  offer(e: Entry): void {
    const path = e.path;
    const at = this.walkIndexOf(path);
    if (path !== '/') {
      const cut = path.lastIndexOf('/');
      const same = cut > 0 ? cut === this.parent.length && path.startsWith(this.parent) : this.parent === '/';
      if (!same) {
        this.parent = cut <= 0 ? '/' : path.slice(0, cut);
        if (this.openAbove(this.parent)) this.withChildren.add(this.parent);
      }
    }
    let above: boolean | undefined;
    if (e.kind === 'dir') {
      above = this.above(path);
      this.openAbove(this.parent);
      this.open.push({ path, above });
    }
    if (at >= 0) this.slots[at] = e;
    else if (e.kind === 'symlink' || (above ?? this.above(path))) this.others.set(path, e);
  }

  /**
   * Whether `dir` is above the list: known for a directory the walk is in
   * (those it is not in are closed); asked for one it did not offer (the
   * start paths' parents) or offered out of order.
   */
  private openAbove(dir: BytePath): boolean {
    const open = this.open;
    while (open.length > 0 && !within(dir, open[open.length - 1]!.path)) open.pop();
    const top = open[open.length - 1];
    return top?.path === dir ? top.above : hasPathBelow(this.wanted, dir);
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
    return this.indexOf(path) >= 0 || this.others.has(path) || hasPathBelow(this.wanted, path);
  }

  hasBelow(dir: BytePath): boolean {
    return this.withChildren.has(dir);
  }
}
