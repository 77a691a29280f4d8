/**
 * The walk in path byte order (paths.ts comparePaths), one entry at a time,
 * so a baseline can be written and a scan compared as the walk goes, holding
 * only the listings of the directories open on the way down.
 *
 * Byte order puts a directory's own entry at its name and its subtree at
 * name + "/": "/a" < "/a-x" < "/a.b" < "/a/b" < "/a0". So each listing is
 * sorted once with two keys per directory (its entry, then its descent),
 * and the descent is taken when its key comes up. Start paths (the policy's
 * includes) are walked each on its own and merged by path: a nested include
 * below an excluded directory lands between its parent's entries.
 */
import type { BytePath, Entry } from '../types.js';
import type { StatRecord } from '../native-stat.js';
import { rootBytes } from '../paths.js';
import { listDirectory } from './listing.js';
import { realFs, type FsPort } from './fsport.js';
import { readIdNames, type IdNames } from './names.js';
import { lstatInside, record, type WalkOptions } from './walker.js';

/** One walked entry; `digests` names the content attributes the hash pool is to fill (regular files only). */
export interface WalkStep {
  entry: Entry;
  st: StatRecord;
  digests: readonly string[];
}

interface Descent {
  /** Set when the directory's entry was emitted and the walk goes into it. */
  go: boolean;
  /** The filesystem this walk stays on below it. */
  dev: number;
}

interface Item {
  key: BytePath;
  path: BytePath;
  st: StatRecord;
  /** The filesystem of the directory the item was listed in. */
  fsDev: number;
  /** On a directory's second key: its descent; on its first, the same object to decide it. */
  descent?: Descent;
  isDescent?: boolean;
}

interface Frame {
  items: Item[];
  at: number;
}

const byKey = (a: Item, b: Item): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export class OrderedWalk {
  /** Directories whose contents could not be listed: nothing below them was examined. */
  readonly unlisted = new Map<BytePath, string>();
  readonly notWalked = new Map<BytePath, string>();
  /** Entries emitted so far. */
  count = 0;
  private readonly port: FsPort;
  private readonly root: string;
  private readonly names: IdNames;
  private readonly startPaths: Set<BytePath>;
  private readonly met = new Set<BytePath>();
  // A bind mount of a directory inside itself shares dev and inode: walk it once. (Directories only.)
  private readonly dirsSeen = new Set<string>();

  constructor(private readonly opts: WalkOptions) {
    this.port = opts.fs ?? realFs;
    this.root = rootBytes(opts.root);
    this.names = readIdNames(this.port, this.root, opts.onWarning);
    this.startPaths = new Set(opts.policy.starts.map((s) => s.path));
  }

  /** Every entry under every start path, in path byte order. */
  *steps(): Generator<WalkStep> {
    const heads: Array<{ gen: Generator<WalkStep>; step: WalkStep }> = [];
    for (const start of this.opts.policy.includes) {
      const gen = this.fromStart(start);
      const first = gen.next();
      if (!first.done) heads.push({ gen, step: first.value });
    }
    while (heads.length) {
      let min = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.step.entry.path < heads[min]!.step.entry.path) min = i;
      const head = heads[min]!;
      const step = head.step;
      const next = head.gen.next();
      if (next.done) heads.splice(min, 1);
      else head.step = next.value;
      this.count++;
      yield step;
    }
  }

  /** After steps() is done: nested start paths the walk did not meet, and why; less the include-if-present ones. */
  finishStarts(): Map<BytePath, string> {
    for (const { path } of this.opts.policy.starts) {
      if (this.notWalked.has(path) || this.met.has(path)) continue;
      const st = lstatInside(this.port, this.root, path);
      this.notWalked.set(path, typeof st === 'string' ? st : 'ENOENT');
    }
    return this.notWalked;
  }

  // A start path is walked even where an exclude names it: the policy asked for it by name.
  private *fromStart(start: BytePath): Generator<WalkStep> {
    const st = lstatInside(this.port, this.root, start);
    if (typeof st === 'string') {
      this.notWalked.set(start, st);
      return;
    }
    const stack: Frame[] = [{ items: this.itemsFor([[start, st]], st.dev), at: 0 }];
    while (stack.length) {
      const frame = stack[stack.length - 1]!;
      if (frame.at >= frame.items.length) {
        stack.pop();
        continue;
      }
      const item = frame.items[frame.at++]!;
      if (!item.isDescent) {
        yield this.emit(item);
        continue;
      }
      if (!item.descent!.go) continue;
      const children = this.list(item);
      if (children.length) stack.push({ items: this.itemsFor(children, item.descent!.dev), at: 0 });
    }
  }

  private itemsFor(children: Array<[BytePath, StatRecord]>, fsDev: number): Item[] {
    const items: Item[] = [];
    for (const [path, st] of children) {
      if (st.kind !== 'dir') {
        items.push({ key: path, path, st, fsDev });
        continue;
      }
      const descent: Descent = { go: false, dev: fsDev };
      items.push({ key: path, path, st, fsDev, descent });
      items.push({ key: path === '/' ? '/' + '\0' : path + '/', path, st, fsDev, descent, isDescent: true });
    }
    return items.sort(byKey);
  }

  private emit(item: Item): WalkStep {
    const { path, st } = item;
    const step = record(path, st, this.opts, this.port, this.root, this.names);
    if (this.startPaths.has(path)) this.met.add(path);
    if (!item.descent) return step;
    let fsDev = item.fsDev;
    if (st.dev !== fsDev && !this.opts.policy.crossFilesystems) {
      // Another filesystem is walked only where the policy names it (include / and include /boot).
      if (!this.startPaths.has(path)) return step;
      fsDev = st.dev;
    }
    const id = `${st.dev}:${st.ino}`;
    if (this.dirsSeen.has(id)) {
      this.unlisted.set(path, 'ELOOP');
      return step;
    }
    this.dirsSeen.add(id);
    item.descent.go = true;
    item.descent.dev = fsDev;
    return step;
  }

  /** The directory's children the policy keeps, with their lstat; a failure is recorded in unlisted. */
  private list(dir: Item): Array<[BytePath, StatRecord]> {
    const listing = listDirectory(this.port, this.root, dir.path, dir.st.dev, dir.st.ino);
    if (typeof listing === 'string') {
      this.unlisted.set(dir.path, listing);
      return [];
    }
    const children: Array<[BytePath, StatRecord]> = [];
    for (let i = 0; i < listing.paths.length; i++) {
      const child = listing.paths[i]!;
      if (this.opts.policy.isExcluded(child)) continue;
      const childSt = listing.stats[i]!;
      if (typeof childSt === 'string') {
        if (childSt !== 'ENOENT') this.unlisted.set(dir.path, childSt); // ENOENT: gone since the listing
        continue;
      }
      children.push([child, childSt]);
    }
    return children;
  }
}
