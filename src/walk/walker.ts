/**
 * The walk: lstat every entry, never follow a symlink, stay on each start
 * path's filesystem unless the policy says otherwise, and collect every
 * non-content attribute the policy asks for. Content digests are handed to a
 * sink (the hash pool) as regular files are met.
 */
import type { BigIntStats } from 'node:fs';
import type { BytePath, Entry } from '../types.js';
import { ATTRIBUTES, type AttrRow, type CollectInput } from '../attrs/registry.js';
import type { Policy } from '../policy/policy.js';
import { bytePath, childPath, fsPath } from '../paths.js';
import { errorCode, realFs, type FsPort } from './fsport.js';
import { kindOf } from './kinds.js';
import { readIdNames } from './names.js';

export interface WalkOptions {
  /** Filesystem path of the root ('/' for the live host); recorded paths are relative to it. */
  root: string;
  policy: Policy;
  fs?: FsPort;
  /** Called for each regular file whose content digests are wanted. */
  onContent?(entry: Entry, st: BigIntStats, digests: string[]): void;
  /** Called every few hundred entries, so the caller can report progress and the event loop can run. */
  onProgress?(entries: number): Promise<void> | void;
}

export interface WalkResult {
  entries: Entry[];
  /** Directories whose contents could not be listed: nothing below them was examined. */
  unlisted: Map<BytePath, string>;
}

const YIELD_EVERY = 512;
const ROW_BY_NAME = new Map<string, AttrRow>(ATTRIBUTES.map((r) => [r.name, r]));

export async function walk(opts: WalkOptions): Promise<WalkResult> {
  const port = opts.fs ?? realFs;
  const root = opts.root === '/' ? '/' : opts.root.replace(/\/+$/, '');
  const names = readIdNames(port, root);
  const entries: Entry[] = [];
  const unlisted = new Map<BytePath, string>();
  const seen = new Set<BytePath>();
  let sinceYield = 0;

  const record = (path: BytePath, st: BigIntStats): Entry => {
    const kind = kindOf(st);
    const entry: Entry = { path, kind, attrs: {} };
    const input: CollectInput = { kind, st, users: names.users, groups: names.groups };
    const digests: string[] = [];
    for (const name of opts.policy.attrsFor(path, kind)) {
      const row = ROW_BY_NAME.get(name)!;
      if (row.source === 'entry') continue;
      if (row.source === 'content') {
        digests.push(name);
        continue;
      }
      const problem = prepare(row, input, port, fsPath(root, path));
      if (problem) (entry.untested ??= {})[name] = problem;
      else entry.attrs[name] = row.collect!(input);
    }
    if (opts.policy.isConfig(path)) entry.config = true;
    if (opts.policy.isGrowing(path)) entry.growing = true;
    entries.push(entry);
    if (digests.length && kind === 'file') opts.onContent?.(entry, st, digests);
    return entry;
  };

  const visit = async (path: BytePath, st: BigIntStats, fsDev: bigint): Promise<void> => {
    if (seen.has(path)) return;
    seen.add(path);
    const entry = record(path, st);
    if (++sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await opts.onProgress?.(entries.length);
    }
    if (entry.kind !== 'dir') return;
    if (st.dev !== fsDev && !opts.policy.crossFilesystems) return;
    let names: Buffer[];
    try {
      names = port.readdir(fsPath(root, path));
    } catch (err) {
      unlisted.set(path, errorCode(err));
      return;
    }
    for (const name of names) {
      const child = childPath(path, bytePath(name));
      if (opts.policy.isExcluded(child)) continue;
      let childSt: BigIntStats;
      try {
        childSt = port.lstat(fsPath(root, child));
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ENOENT') continue; // gone between readdir and lstat
        unlisted.set(path, code);
        continue;
      }
      await visit(child, childSt, fsDev);
    }
  };

  for (const start of opts.policy.includes) {
    if (opts.policy.isExcluded(start)) continue;
    const st = lstatInside(port, root, start);
    if (!st) continue;
    // The start path's parents are recorded too, so a scan sees a replaced /usr.
    await visit(start, st, st.dev);
  }
  await opts.onProgress?.(entries.length);
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, unlisted };
}

/**
 * lstat of a start path, refusing to resolve it through a symlinked parent
 * (root/lib -> usr/lib, or worse, -> /etc on the scanning host).
 */
function lstatInside(port: FsPort, root: string, start: BytePath): BigIntStats | undefined {
  const parts = start.split('/').filter(Boolean);
  let path = '';
  for (let i = 0; i < parts.length; i++) {
    path += '/' + parts[i];
    let st: BigIntStats;
    try {
      st = port.lstat(fsPath(root, path));
    } catch {
      return undefined;
    }
    if (i === parts.length - 1) return st;
    if (!st.isDirectory()) return undefined;
  }
  return port.lstat(fsPath(root, '/'));
}

/** Gathers what a row needs (readlink, xattrs) into input; returns an errno code on failure. */
function prepare(row: AttrRow, input: CollectInput, port: FsPort, path: Buffer): string | undefined {
  if (row.source === 'readlink' && input.target === undefined) {
    try {
      input.target = bytePath(port.readlink(path));
    } catch (err) {
      return errorCode(err);
    }
  }
  if (row.source === 'xattr' && input.xattrs === undefined) {
    const got = port.lxattrs(path);
    if (typeof got === 'string') return got;
    input.xattrs = got;
  }
  return undefined;
}
