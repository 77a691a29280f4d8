/**
 * The walk: lstat every entry, never follow a symlink, stay on each start
 * path's filesystem unless the policy says otherwise, and collect every
 * non-content attribute the policy asks for. Entries come in path byte order
 * (ordered.ts); content digests are left as null slots for the hash pool.
 *
 * Synchronous calls in a loop, yielding to the event loop every few hundred
 * entries: promise-based fs costs microseconds a call (bench/README.md).
 */
import type { AttrValue, BytePath, Entry } from '../types.js';
import { attrRow, type AttrRow, type CollectInput } from '../attrs/registry.js';
import type { Policy } from '../policy/policy.js';
import { bytePath, fsPath, fsPathScratch } from '../paths.js';
import { errorCode, type FsPort } from './fsport.js';
import type { IdNames } from './names.js';
import { OrderedWalk, type WalkStep } from './ordered.js';
import type { StatRecord } from '../native-stat.js';

export interface WalkOptions {
  /** Filesystem path of the root ('/' for the live host); recorded paths are relative to it. */
  root: string;
  policy: Policy;
  fs?: FsPort;
  /** Called for each regular file whose content digests are wanted (attrs hold null placeholders). */
  onContent?(entry: Entry, st: StatRecord, digests: readonly string[]): void;
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

/**
 * The whole walk in memory, sorted: for tests and small trees. The baseline
 * and the scan use OrderedWalk directly and keep nothing.
 */
export async function walk(opts: WalkOptions): Promise<WalkResult> {
  const ordered = new OrderedWalk(opts);
  const entries: Entry[] = [];
  for (const step of ordered.steps()) {
    entries.push(step.entry);
    if (step.digests.length && step.st.kind === 'file') opts.onContent?.(step.entry, step.st, step.digests);
    if (entries.length % YIELD_EVERY === 0) await opts.onProgress?.(entries.length);
  }
  await opts.onProgress?.(entries.length);
  return { entries, unlisted: ordered.unlisted, notWalked: ordered.finishStarts() };
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

const NO_DIGESTS: readonly string[] = [];
const contentLists = new WeakMap<readonly string[], readonly string[]>();

/** The content rows of an attribute list: one shared, read-only list per policy list, not an array per file. */
function contentRows(list: readonly string[]): readonly string[] {
  let rows = contentLists.get(list);
  if (!rows) {
    rows = list.filter((name) => attrRow(name)!.source === 'content');
    contentLists.set(list, rows);
  }
  return rows;
}

/** One entry with every attribute the policy wants, in registry order. */
export function record(path: BytePath, st: StatRecord, opts: Pick<WalkOptions, 'policy'>, port: FsPort, root: string, names: IdNames): WalkStep {
  const list = opts.policy.attrsFor(path, st.kind);
  const entry: Entry = { path, kind: st.kind, attrs: attrsFactory(list)() };
  const input: WalkInput = { kind: st.kind, st, users: names.users, groups: names.groups };
  if (st.xattrBytes === 0) input.xattrs = [];
  // Read with the listing, through the directory then listed: never by the path looked up again.
  else if (typeof st.xattrs === 'string') input.xattrsError = st.xattrs;
  else if (st.xattrs) input.xattrs = st.xattrs;
  for (const name of list) {
    const row = attrRow(name)!;
    // A content row's null slot is filled in by the hash pool.
    if (row.source === 'entry' || row.source === 'content') continue;
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
  return { entry, st, digests: st.kind === 'file' ? contentRows(list) : NO_DIGESTS };
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

/** What record() gathers: the rows' input, and why the listing could not read the xattrs. */
type WalkInput = CollectInput & { xattrsError?: string };

/** Gathers what a row needs (readlink, xattrs) into input; returns an errno code on failure. */
function prepare(row: AttrRow, input: WalkInput, port: FsPort, root: string, path: BytePath): string | undefined {
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
    if (input.xattrsError) return input.xattrsError;
    const got = port.lxattrs(fsPathScratch(root, path));
    if (typeof got === 'string') return got;
    input.xattrs = got;
  }
  return undefined;
}
