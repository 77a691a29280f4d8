/**
 * The package half's hooks into a scan's walk, bound late. The walk starts
 * before the package half (the baseline's packaged paths and recorded md5s,
 * the package tool): that runs as the walk's interlude (snapshot.ts), while
 * the hash workers have files to hash, not before the walk while they wait. Until then, what the package half keeps
 * of the walk (KeptEntries) and the sha256s its md5 hook takes (md5-record.ts)
 * are held here, and handed on in the order they came once it is ready.
 */
import type { BytePath, Entry } from '../types.js';
import type { ExtraDigests } from '../snapshot/snapshot.js';
import type { KeptEntries } from './walked-entries.js';

const SHA256 = ['sha256'] as const;

export class LateHooks {
  private offered: Entry[] = [];
  private kept: Entry[] = [];
  private digests: Array<[BytePath, Record<string, string>]> = [];
  private keptEntries?: KeptEntries;
  private md5?: ExtraDigests;
  private bound = false;

  /**
   * Before the package data is read nobody knows which files the md5 hook
   * wants: each is asked for its sha256 when it records one anyway (no more
   * hashing), and the hook sees them once bound.
   */
  readonly extraDigests: ExtraDigests = {
    algosFor: (path, own) => {
      if (this.bound) return this.md5?.algosFor(path, own);
      return own.includes('sha256') ? SHA256 : undefined;
    },
    take: (path, d) => {
      if (!this.bound) this.digests.push([path, d]);
      else this.md5?.take(path, d);
    },
  };

  /** An entry as the walk hands it on, in path order. */
  offer(e: Entry): void {
    if (this.keptEntries) this.keptEntries.offer(e);
    else this.offered.push(e);
  }

  /** An entry with a finding: kept whatever its path. */
  keep(e: Entry): void {
    if (this.keptEntries) this.keptEntries.keep(e);
    else this.kept.push(e);
  }

  /** What the package half kept (bound by the end of the walk: the interlude runs by then). */
  walked(): KeptEntries {
    if (!this.keptEntries) throw new Error('the walk ended before its package half started');
    return this.keptEntries;
  }

  /** The package half is ready: what was held goes to it, in the order it came, and from now on everything. */
  bind(walked: KeptEntries, md5: ExtraDigests | undefined): void {
    for (const e of this.offered) walked.offer(e);
    for (const e of this.kept) walked.keep(e);
    for (const [path, d] of this.digests) md5?.take(path, d);
    this.offered = [];
    this.kept = [];
    this.digests = [];
    this.keptEntries = walked;
    this.md5 = md5;
    this.bound = true;
  }
}
