/**
 * The walk: lstat every entry, never follow a symlink, stay on each start
 * path's filesystem unless the policy says otherwise, and collect every
 * non-content attribute the policy asks for. Content digests are handed to a
 * sink (the hash pool) as regular files are met.
 *
 * Synchronous calls in a loop, yielding to the event loop every few hundred
 * entries: promise-based fs costs microseconds a call (bench/README.md).
 */
import type { AttrValue, BytePath, Entry } from '../types.js';
import { attrRow, type AttrRow, type CollectInput } from '../attrs/registry.js';
import type { Policy } from '../policy/policy.js';
import { bytePath, comparePaths, fsPath, fsPathScratch, rootBytes } from '../paths.js';
import { listDirectory } from './listing.js';
import { errorCode, realFs, type FsPort } from './fsport.js';
import { readIdNames, type IdNames } from './names.js';
import type { StatRecord } from '../native-stat.js';

export interface WalkOptions {
  /** Filesystem path of the root ('/' for the live host); recorded paths are relative to it. */
  root: string;
  policy: Policy;
  fs?: FsPort;
  /** Called for each regular file whose content digests are wanted (attrs hold null placeholders). */
  onContent?(entry: Entry, st: StatRecord, digests: string[]): void;
  /** Called every few hundred entries, so the caller can report progress and the event loop can run. */
  onProgress?(entries: number): Promise<void> | void;
  /** Told what the walk could not use (the root's /etc/passwd unreadable or too large). */
  onWarning?(message: string): void;
}

export interface WalkResult {
  entries: Entry[];
  /** Directories whose contents could not be listed: nothing below them was examined. */
  unlisted: Map<BytePath, string>;
  /** Start paths (every include line) that gave no entry, with why (ENOENT, or a parent that is not a directory). */
  notWalked: Map<BytePath, string>;
}

const YIELD_EVERY = 512;

interface Pending {
  path: BytePath;
  /** The filesystem this walk stays on. */
  dev: number;
  /** The directory's own identity when it was lstat-ed. */
  self: { dev: number; ino: number };
}

export async function walk(opts: WalkOptions): Promise<WalkResult> {
  const port = opts.fs ?? realFs;
  const root = rootBytes(opts.root);
  const names = readIdNames(port, root, opts.onWarning);
  const entries: Entry[] = [];
  const unlisted = new Map<BytePath, string>();
  const notWalked = new Map<BytePath, string>();
  // A bind mount of a directory inside itself shares dev and inode: walk it once.
  const dirsSeen = new Set<string>();
  const stack: Pending[] = [];
  let sinceYield = 0;

  const starts = new Set(opts.policy.starts.map((s) => s.path));
  const enter = (path: BytePath, st: StatRecord, fsDev: number): void => {
    const entry = record(path, st, opts, port, root, names);
    entries.push(entry);
    if (st.kind !== 'dir') return;
    if (st.dev !== fsDev && !opts.policy.crossFilesystems) {
      // Another filesystem is walked only where the policy names it (include / and include /boot).
      if (!starts.has(path)) return;
      fsDev = st.dev;
    }
    const id = `${st.dev}:${st.ino}`;
    if (dirsSeen.has(id)) {
      unlisted.set(path, 'ELOOP');
      return;
    }
    dirsSeen.add(id);
    stack.push({ path, dev: fsDev, self: { dev: st.dev, ino: st.ino } });
  };

  // A start path is walked even where an exclude names it: the policy asked for it by name.
  for (const start of opts.policy.includes) {
    const st = lstatInside(port, root, start);
    if (typeof st === 'string') notWalked.set(start, st);
    else enter(start, st, st.dev);
    while (stack.length) {
      const dir = stack.pop()!;
      const listing = listDirectory(port, root, dir.path, dir.self.dev, dir.self.ino);
      if (typeof listing === 'string') {
        unlisted.set(dir.path, listing);
        continue;
      }
      for (let i = 0; i < listing.paths.length; i++) {
        const child = listing.paths[i]!;
        if (opts.policy.isExcluded(child)) continue;
        const childSt = listing.stats[i]!;
        if (typeof childSt === 'string') {
          if (childSt !== 'ENOENT') unlisted.set(dir.path, childSt); // ENOENT: gone since the listing
          continue;
        }
        enter(child, childSt, dir.dev);
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await opts.onProgress?.(entries.length);
        }
      }
    }
  }
  await opts.onProgress?.(entries.length);
  entries.sort((a, b) => comparePaths(a.path, b.path));
  // Nested start paths were walked as part of their parent: the ones it did not meet, and why.
  for (const { path } of opts.policy.starts) {
    if (notWalked.has(path) || hasEntry(entries, path)) continue;
    const st = lstatInside(port, root, path);
    notWalked.set(path, typeof st === 'string' ? st : 'ENOENT');
  }
  return { entries, unlisted, notWalked };
}

function hasEntry(entries: readonly Entry[], path: BytePath): boolean {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = entries[mid]!.path;
    if (p === path) return true;
    if (p < path) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

type AttrsFactory = () => Record<string, AttrValue>;
const factories = new WeakMap<readonly string[], AttrsFactory>();

/**
 * A fresh attrs object with every stored attribute of the list as a null slot,
 * in order: one object literal, so V8 lays all of them out inside the object.
 * Adding them one by one to {} costs a separate property array, which grows
 * (and leaves garbage) as it goes: 179 bytes against 147 for 14 attributes,
 * 32 MB a million entries.
 */
function attrsFactory(list: readonly string[]): AttrsFactory {
  let make = factories.get(list);
  if (!make) {
    const stored = list.filter((name) => attrRow(name)!.source !== 'entry');
    // The names are the registry's own (JSON-quoted); no input reaches this code.
    make = new Function(`return () => ({ ${stored.map((n) => `${JSON.stringify(n)}: null`).join(', ')} });`)() as AttrsFactory;
    factories.set(list, make);
  }
  return make;
}

/** One entry with every attribute the policy wants, in registry order. */
function record(path: BytePath, st: StatRecord, opts: WalkOptions, port: FsPort, root: string, names: IdNames): Entry {
  const list = opts.policy.attrsFor(path, st.kind);
  const entry: Entry = { path, kind: st.kind, attrs: attrsFactory(list)() };
  const input: CollectInput = { kind: st.kind, st, users: names.users, groups: names.groups };
  if (st.xattrBytes === 0) input.xattrs = [];
  const digests: string[] = [];
  for (const name of list) {
    const row = attrRow(name)!;
    if (row.source === 'entry') continue;
    if (row.source === 'content') {
      digests.push(name); // its null slot is filled in by the hash pool
      continue;
    }
    let problem = row.source === 'stat' || row.source === 'names' ? undefined : prepare(row, input, port, root, path);
    if (!problem && row.source === 'records') {
      // The only rows that read a file here (login records): their failures are per-file data.
      try {
        entry.attrs[name] = row.collect!(input);
      } catch (err) {
        problem = errorCode(err);
      }
    } else if (!problem) entry.attrs[name] = row.collect!(input);
    if (problem) {
      (entry.untested ??= {})[name] = problem;
      delete entry.attrs[name];
    }
  }
  if (opts.policy.isConfig(path)) entry.config = true;
  if (opts.policy.isGrowing(path)) entry.growing = true;
  if (digests.length && st.kind === 'file') opts.onContent?.(entry, st, digests);
  return entry;
}

/**
 * lstat of a start path, refusing to resolve it through a symlinked parent
 * (root/lib -> usr/lib, or worse, -> /etc on the scanning host); else why not.
 */
export function lstatInside(port: FsPort, root: string, start: BytePath): StatRecord | string {
  const parts = start.split('/').filter(Boolean);
  let path = '';
  try {
    for (let i = 0; i < parts.length; i++) {
      path += '/' + parts[i];
      const st = port.lstat(fsPathScratch(root, path));
      if (i === parts.length - 1) return st;
      if (st.kind !== 'dir') return `ENOTDIR: ${path} is a ${st.kind}`;
    }
    return port.lstat(fsPathScratch(root, '/'));
  } catch (err) {
    const code = errorCode(err);
    return path === start || code === 'ENOENT' ? code : `${code} at ${path}`;
  }
}

/** Gathers what a row needs (readlink, xattrs) into input; returns an errno code on failure. */
function prepare(row: AttrRow, input: CollectInput, port: FsPort, root: string, path: BytePath): string | undefined {
  if (row.source === 'readlink' && input.target === undefined) {
    try {
      input.target = bytePath(port.readlink(fsPathScratch(root, path)));
    } catch (err) {
      return errorCode(err);
    }
  }
  if (row.source === 'records' && input.read === undefined) {
    const st = input.st;
    input.read = (chunk, visit) => port.readChunks(fsPath(root, path), st.dev, st.ino, chunk, visit);
  }
  if (row.source === 'xattr' && input.xattrs === undefined) {
    const got = port.lxattrs(fsPathScratch(root, path));
    if (typeof got === 'string') return got;
    input.xattrs = got;
  }
  return undefined;
}
