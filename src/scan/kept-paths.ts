/**
 * The sorted list of paths KeptEntries moves through, made from sorted runs:
 * the package data's paths (its rows come sorted), their merged-/usr twins
 * (a prefix added or taken off keeps a run sorted) and the start paths, each
 * path once. Merged, not sorted whole: a whole host's ~150,000 paths cost a
 * sort ~40 ms. The directories above them are not listed: a directory is
 * one where the list has a path below it, looked up where the walk meets one.
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

/** `paths` sorted by bytes, each once: as given when it already is (the package data's rows are). */
function sortedOnce(paths: BytePath[]): BytePath[] {
  for (let i = 1; i < paths.length; i++) {
    if (!(paths[i - 1]! < paths[i]!)) return [...new Set(paths)].sort(comparePaths);
  }
  return paths;
}

/** Two sorted lists (each path once) as one, each path once. */
function merge(a: BytePath[], b: BytePath[]): BytePath[] {
  if (b.length === 0) return a;
  const out = new Array<BytePath>(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x <= y) out[n++] = x, i++, x === y && j++;
    else out[n++] = y, j++;
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  out.length = n;
  return out;
}

/** The paths asked about, their merged-/usr twins and the start paths, sorted by bytes, each once. */
export function keptPaths(paths: Iterable<BytePath>, starts: Iterable<BytePath>): BytePath[] {
  const listed = sortedOnce([...paths]);
  const inUsr: BytePath[] = [];
  const outOfUsr: BytePath[] = [];
  for (const p of listed) {
    if (mergedAt(p, 0)) inUsr.push('/usr' + p);
    else if (p.startsWith('/usr/') && mergedAt(p, 4)) outOfUsr.push(p.slice(4));
  }
  return merge(merge(merge(listed, inUsr), outOfUsr), sortedOnce([...starts]));
}

/**
 * Whether `sorted` has a path below `dir` (always, for /). Those paths are one run, starting
 * at the first not before `dir/`: searched for from `from` (a path at or
 * before it), in steps that double, as the walk's order mostly finds it near.
 */
export function hasPathBelow(sorted: readonly BytePath[], dir: BytePath, from = 0): boolean {
  // / is above everything, the empty list included (a scan told to keep nothing still keeps /).
  if (dir === '/') return true;
  const prefix = dir + '/';
  const n = sorted.length;
  let lo = from;
  let hi = from;
  for (let step = 1; hi < n && sorted[hi]! < prefix; step *= 2) {
    lo = hi + 1;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  // Every path before lo is before dir/, and the one at hi (if any) is not.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo]?.startsWith(prefix) === true;
}
