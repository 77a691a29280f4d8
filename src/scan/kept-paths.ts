/**
 * The sorted list KeptEntries moves through, made from sorted runs: the
 * package data's paths (its rows come sorted), their merged-/usr twins (a
 * prefix added or taken off keeps a run sorted), the start paths, and the
 * directories above them all, each path once with its flags. Merged, not
 * sorted whole: a whole host's ~150,000 paths cost a sort ~40 ms.
 */
import type { BytePath } from '../types.js';
import { comparePaths } from '../paths.js';

/** The top-level directories merged-/usr systems link into /usr, each as it starts a path. */
const MERGED = ['/bin/', '/sbin/', '/lib/', '/lib32/', '/lib64/', '/libx32/'];

/** True when `path` continues at `at` with a merged-/usr directory (`at` 0: /bin/..., 4: /usr/bin/...). */
function mergedAt(path: BytePath, at: number): boolean {
  const c = path.charCodeAt(at + 1);
  // Most paths fail on their first letter: no slice, no regular expression, per path.
  if (c !== 0x62 && c !== 0x73 && c !== 0x6c) return false;
  for (const top of MERGED) if (path.startsWith(top, at)) return true;
  return false;
}

/** A path's flags in KeptEntries' list. */
const WANTED = 1;
/** A directory above a wanted path (or /). */
export const DIR = 2;
/** A DIR the walk recorded something below. */
export const BELOW = 4;

/** `paths` sorted by bytes, each once: as given when it already is (the package data's rows are). */
function sortedOnce(paths: BytePath[]): BytePath[] {
  for (let i = 1; i < paths.length; i++) {
    if (!(paths[i - 1]! < paths[i]!)) return [...new Set(paths)].sort(comparePaths);
  }
  return paths;
}

/**
 * The directories above sorted paths (and /), sorted, each once. The paths
 * below a directory are one run of a sorted list (they share its prefix), so
 * a directory above a path is new exactly when it is not above the path
 * before: those are the ones longer than what the two share. No set is
 * asked; the few thousand found come nearly in order ('/a/b-x' before '/a/b'
 * is the exception), so their sort is short.
 */
function directoriesAbove(sorted: readonly BytePath[]): BytePath[] {
  const dirs: BytePath[] = ['/'];
  let prev = '';
  for (const path of sorted) {
    const cut = path.lastIndexOf('/');
    if (cut <= 0 || (cut === prev.length && path.startsWith(prev))) continue;
    // The longest directory above both: where both have a slash (or prev ends) within their common start.
    const common = Math.min(cut, prev.length);
    let k = 0;
    while (k < common && path.charCodeAt(k) === prev.charCodeAt(k)) k++;
    const bothEnd = (k === prev.length || prev.charCodeAt(k) === SLASH) && path.charCodeAt(k) === SLASH;
    const shared = bothEnd ? k : path.lastIndexOf('/', k - 1);
    for (let j = path.indexOf('/', shared + 1); j > 0 && j <= cut; j = path.indexOf('/', j + 1)) dirs.push(path.slice(0, j));
    prev = path.slice(0, cut);
  }
  return dirs.sort(comparePaths);
}

const SLASH = 0x2f;

interface Flagged {
  paths: BytePath[];
  flags: Uint8Array;
}

/** A sorted list (each path once) and another with one flag for all, as one, each path once with its flags from both. */
function merge(a: Flagged, b: BytePath[], flag: number): Flagged {
  if (b.length === 0) return a;
  const paths = new Array<BytePath>(a.paths.length + b.length);
  const flags = new Uint8Array(paths.length);
  let i = 0;
  let j = 0;
  let n = 0;
  for (; i < a.paths.length && j < b.length; n++) {
    const x = a.paths[i]!;
    const y = b[j]!;
    if (x < y) flags[n] = a.flags[i]!, paths[n] = x, i++;
    else if (x === y) flags[n] = a.flags[i]! | flag, paths[n] = x, i++, j++;
    else flags[n] = flag, paths[n] = y, j++;
  }
  for (; i < a.paths.length; n++, i++) flags[n] = a.flags[i]!, paths[n] = a.paths[i]!;
  for (; j < b.length; n++, j++) flags[n] = flag, paths[n] = b[j]!;
  paths.length = n;
  return { paths, flags: flags.subarray(0, n) };
}

/** The paths asked about (each flagged WANTED) and the directories above them (DIR), sorted by bytes, each once. */
export function keptPaths(paths: Iterable<BytePath>, starts: Iterable<BytePath>): Flagged {
  const listed = sortedOnce([...paths]);
  // The merged-/usr twins, each a sorted run: a common prefix added or taken off keeps the order.
  const inUsr: BytePath[] = [];
  const outOfUsr: BytePath[] = [];
  for (const p of listed) {
    if (mergedAt(p, 0)) inUsr.push('/usr' + p);
    else if (p.startsWith('/usr/') && mergedAt(p, 4)) outOfUsr.push(p.slice(4));
  }
  let all = merge({ paths: listed, flags: new Uint8Array(listed.length).fill(WANTED) }, inUsr, WANTED);
  all = merge(all, outOfUsr, WANTED);
  all = merge(all, sortedOnce([...starts]), WANTED);
  all = merge(all, directoriesAbove(all.paths), DIR);
  return all;
}
