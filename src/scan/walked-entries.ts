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

/** What a streamed scan keeps, offered each entry as the walk hands it on. */
export class KeptEntries implements WalkedEntries {
  private readonly kept = new Map<BytePath, Entry>();
  private readonly wanted = new Set<BytePath>();
  private readonly dirs = new Set<BytePath>(['/']);
  private readonly withChildren = new Set<BytePath>();

  constructor(paths: Iterable<BytePath>, starts: Iterable<BytePath>) {
    for (const p of paths) {
      this.want(p);
      if (MERGED.test(p)) this.want('/usr' + p);
      else if (p.startsWith('/usr/') && MERGED.test(p.slice(4))) this.want(p.slice(4));
    }
    for (const p of starts) this.want(p);
  }

  private want(path: BytePath): void {
    this.wanted.add(path);
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
      const dir = path.slice(0, cut);
      if (this.dirs.has(dir)) break;
      this.dirs.add(dir);
    }
  }

  offer(e: Entry): void {
    const cut = e.path.lastIndexOf('/');
    const parent = cut <= 0 ? '/' : e.path.slice(0, cut);
    if (this.dirs.has(parent) && e.path !== '/') this.withChildren.add(parent);
    if (e.kind === 'symlink' || this.wanted.has(e.path) || this.dirs.has(e.path)) this.kept.set(e.path, e);
  }

  /** An entry with a finding: kept whatever its path. */
  keep(e: Entry): void {
    this.kept.set(e.path, e);
  }

  get(path: BytePath): Entry | undefined {
    return this.kept.get(path);
  }

  knows(path: BytePath): boolean {
    return this.wanted.has(path) || this.dirs.has(path) || this.kept.has(path);
  }

  hasBelow(dir: BytePath): boolean {
    return this.withChildren.has(dir);
  }
}
