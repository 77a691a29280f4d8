/**
 * What the walk can vouch for about a path the package tool names.
 *
 * rpm and dpkg name paths as the package lists them; the walk records what
 * it met without following a symlink. A package finding may only be set
 * aside as preexisting when the walk itself looked at that file (or at the
 * directory where it would be) and found it as the baseline recorded it: not
 * when the path runs through a symlinked directory into a tree the policy
 * does not walk, nor into another filesystem the walk did not enter.
 * Symlinks are resolved through the targets the walk recorded, inside the
 * root, as the kernel resolves them for the tool; an absolute target on a
 * mounted disk points out of the root for the tool, so nothing is vouched.
 */
import type { BytePath, Entry, Finding } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { ATTRIBUTES, readAttr } from '../attrs/registry.js';
import { childPath, isUnder } from '../paths.js';
import { SortedEntries, type WalkedEntries } from './walked-entries.js';

/** The kernel's limit on symlinks in one lookup. */
const MAX_LINKS = 40;

export interface WalkView {
  /** The scan's entries, sorted by path bytes (diff, tests); or the ones a streamed scan kept. */
  entries?: readonly Entry[];
  walked?: WalkedEntries;
  /** The baseline findings (walk against baseline), by path. */
  findings: ReadonlyMap<BytePath, Finding>;
  /** Directories the scan or the baseline could not list. */
  unlisted: ReadonlySet<BytePath>;
  policy: Policy;
  /** True for a live scan (root "/"): absolute link targets then stay inside it. */
  live: boolean;
  /**
   * Whether a directory is on its parent's filesystem now: the walk does not
   * enter another filesystem, and a directory it did not enter looks empty.
   */
  sameFilesystemAsParent(dir: BytePath): boolean;
}

interface Resolution {
  /** The entries the answer rests on: the symlinks followed, then the file itself if it exists. */
  visited: Entry[];
  /** The entry the path names, if the walk has one. */
  found?: Entry;
  /** The first component that the walk did not find, and the directory it would be in. */
  absent?: { path: BytePath; parent: BytePath };
}

export class WalkEvidence {
  private readonly walked: WalkedEntries;

  constructor(private readonly view: WalkView) {
    this.walked = view.walked ?? new SortedEntries(view.entries ?? []);
  }

  entry(path: BytePath): Entry | undefined {
    return this.walked.get(path);
  }

  /** True when the walk listed `dir`: it recorded something below it, or `dir` is a directory it entered. */
  private listed(dir: BytePath): boolean {
    if (this.view.unlisted.has(dir) || this.entry(dir)?.kind !== 'dir') return false;
    if (this.walked.hasBelow(dir)) return true;
    const { policy } = this.view;
    return policy.includes.includes(dir) || policy.crossFilesystems || this.view.sameFilesystemAsParent(dir);
  }

  /** A directory above a start path the walk entered: not an entry, but a real directory (the walk checks that). */
  private aboveStart(path: BytePath): boolean {
    return this.view.policy.includes.some((inc) => inc !== path && isUnder(inc, path) && this.entry(inc) !== undefined);
  }

  /** Looks a path up in the walk's entries; undefined when the walk cannot tell. */
  resolve(path: BytePath, followFinal: boolean): Resolution | undefined {
    const rest = path.split('/').reverse();
    const visited: Entry[] = [];
    let dir = '/';
    let links = 0;
    while (rest.length) {
      const name = rest.pop()!;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (dir === '/' && !this.view.live) return undefined; // out of the root
        dir = dir.slice(0, Math.max(1, dir.lastIndexOf('/')));
        continue;
      }
      const at = childPath(dir, name);
      const e = this.entry(at);
      if (!e && this.aboveStart(at)) {
        dir = at;
        continue;
      }
      if (!e) return this.walked.knows(at) ? { visited, absent: { path: at, parent: dir } } : undefined;
      const last = !rest.some((n) => n !== '' && n !== '.');
      // A directory on the way may have changed (a file added beside): what is
      // below it is compared on its own. A symlink decides where the path goes.
      if (last || e.kind === 'symlink') visited.push(e);
      if (e.kind === 'symlink' && (!last || followFinal)) {
        const target = e.attrs.target;
        if (typeof target !== 'string' || ++links > MAX_LINKS) return undefined;
        if (target.startsWith('/')) {
          if (!this.view.live) return undefined;
          dir = '/';
        }
        rest.push(...target.split('/').reverse());
        continue;
      }
      if (last) return { visited, found: e };
      if (e.kind !== 'dir') return undefined;
      dir = at;
    }
    return undefined; // the path named a directory by "." or ".." alone
  }

  /** The walked regular file a package path names now, after the symlinks on its way. */
  fileFor(path: BytePath): Entry | undefined {
    const found = this.resolve(path, true)?.found;
    return found?.kind === 'file' ? found : undefined;
  }

  /**
   * True when the walk found the path as the baseline recorded it: every
   * entry on the way unchanged, every letter the tool flags backed by an
   * attribute the walk compared; for `missing`, the path absent then and
   * now from a directory the walk listed.
   */
  vouches(f: Finding): boolean {
    if (f.status !== 'changed' && f.status !== 'missing') return false;
    const r = this.resolve(f.path, f.status === 'missing' || (f.flags ?? '').includes('5'));
    if (!r || r.visited.some((e) => this.view.findings.has(e.path))) return false;
    if (f.status === 'changed') return r.found !== undefined && lettersBacked(f.flags, r.visited);
    const gone = r.absent;
    if (!gone || this.view.findings.has(gone.path) || !this.sameDirectory(gone.parent)) return false;
    return this.view.policy.covers(gone.path) && this.listed(gone.parent);
  }

  /**
   * The directory is the one the baseline listed: no finding, or one that
   * shows the same inode (files added or removed beside change only its
   * times). A mount point unmounted since shows another inode.
   */
  private sameDirectory(dir: BytePath): boolean {
    const f = this.view.findings.get(dir);
    if (!f) return true;
    if (f.status !== 'changed' || this.entry(dir)?.attrs.inode === undefined) return false;
    return !f.deltas.some((d) => d.attr === 'inode' || d.attr === 'type');
  }
}

/** Each letter the tool printed is an attribute the walk recorded (and so compared) on the way. */
function lettersBacked(flags: string | undefined, visited: readonly Entry[]): boolean {
  if (!flags) return false; // a finding about the database itself, not about a file
  for (const letter of flags) {
    if (letter === '.' || letter === '?') continue;
    // The file type alone does not back M: rpm means the mode too.
    const rows = ATTRIBUTES.filter((row) => row.letter === letter && row.source !== 'entry');
    if (!visited.some((e) => rows.some((row) => readAttr(row, e) !== undefined))) return false;
  }
  return true;
}
