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
import { comparePaths, lowerBound, walkOrderMember } from '../paths.js';

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

/** The top-level directories merged-/usr systems link into /usr. */
const MERGED = /^\/(bin|sbin|lib|lib32|lib64|libx32)\//;

/**
 * What a streamed scan keeps, offered each entry as the walk hands it on, in
 * path byte order. On a whole host it is asked about ~100,000 packaged paths
 * and offered every entry: the wanted paths are a sorted list the walk's
 * order moves through, not a set hashed per entry, and an entry's parent is
 * worked out only where it differs from the entry before's.
 */
export class KeptEntries implements WalkedEntries {
  private readonly kept = new Map<BytePath, Entry>();
  /** The paths asked about, sorted by bytes, each once. */
  private readonly wanted: BytePath[];
  /** The directories above them (and /). */
  private readonly dirs = new Set<BytePath>(['/']);
  private readonly withChildren = new Set<BytePath>();
  /** Whether an entry offered in walk order is a wanted path. */
  private readonly offeredWanted: (path: BytePath) => boolean;
  /** The last offered entry's parent directory: siblings come one after another. */
  private parent = '';
  private parentIsDir = false;

  constructor(paths: Iterable<BytePath>, starts: Iterable<BytePath>) {
    const all: BytePath[] = [];
    for (const p of paths) {
      all.push(p);
      if (MERGED.test(p)) all.push('/usr' + p);
      else if (p.startsWith('/usr/') && MERGED.test(p.slice(4))) all.push(p.slice(4));
    }
    for (const p of starts) all.push(p);
    // The package data's paths come sorted, their twins in sorted runs: a merge, mostly.
    all.sort(comparePaths);
    let unique = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[unique - 1]) all[unique++] = all[i]!;
    all.length = unique;
    this.wanted = all;
    this.offeredWanted = walkOrderMember(all);
    let last = '';
    for (const path of all) {
      const cut = path.lastIndexOf('/');
      if (cut <= 0 || (cut === last.length && path.startsWith(last))) continue;
      last = path.slice(0, cut);
      for (let dir = last, c = cut; c > 0 && !this.dirs.has(dir); c = dir.lastIndexOf('/'), dir = dir.slice(0, c)) this.dirs.add(dir);
    }
  }

  offer(e: Entry): void {
    const path = e.path;
    if (path !== '/') {
      const cut = path.lastIndexOf('/');
      const same = cut > 0 ? cut === this.parent.length && path.startsWith(this.parent) : this.parent === '/';
      if (!same) {
        this.parent = cut <= 0 ? '/' : path.slice(0, cut);
        this.parentIsDir = this.dirs.has(this.parent);
      }
      if (this.parentIsDir) this.withChildren.add(this.parent);
    }
    if (e.kind === 'symlink' || this.offeredWanted(path) || this.dirs.has(path)) this.kept.set(path, e);
  }

  /** An entry with a finding: kept whatever its path. */
  keep(e: Entry): void {
    this.kept.set(e.path, e);
  }

  get(path: BytePath): Entry | undefined {
    return this.kept.get(path);
  }

  knows(path: BytePath): boolean {
    return this.wanted[lowerBound(this.wanted, path)] === path || this.dirs.has(path) || this.kept.has(path);
  }

  hasBelow(dir: BytePath): boolean {
    return this.withChildren.has(dir);
  }
}
