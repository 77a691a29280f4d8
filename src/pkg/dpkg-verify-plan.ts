/**
 * What `dpkg --verify` checks, worked out from the database the way dpkg
 * 1.21's src/main/verify.c does it, so driftscan can check the same paths
 * against the same digests without running dpkg (dpkg-native.ts).
 *
 * dpkg keeps one node per path for the whole run, and a package's check uses
 * the node's state as the packages before it left it:
 * - a package's info/PKG.md5sums sets each listed path's digest ("newhash")
 *   just before that package is checked;
 * - the package's status `Conffiles:` (obsolete and remove-on-upgrade ones
 *   too) mark each path as a conffile (the `c` column) and give it an
 *   "oldhash" when it has none yet; with no newhash, the oldhash is checked
 *   (a literal "newconffile" never matches);
 * - each path of info/PKG.list (trailing '/' stripped, leading '/' and './'
 *   normalised) is first replaced by its diversion unless this package made
 *   it, and the diverted-to node's own state is what is checked: a diverted
 *   file's digest is normally unknown there, and dpkg skips it.
 * Every listed path is lstat-ed (missing ones are printed, digest or not);
 * only a path with a digest is opened.
 *
 * Packages are taken in name order; dpkg's no-argument run takes them in its
 * hash table's order. The two differ only where two packages give one path
 * different digests or conffile marks, which dpkg itself resolves by chance.
 *
 * What dpkg would abort on (an md5sums or list file without its final
 * newline, a malformed md5sums line), and a database with unapplied journal
 * entries (updates/), throw NotModelled: the caller runs the real tool.
 */
import { besideWalk } from '../beside-walk.js';
import type { BytePath } from '../types.js';
import { listQuiet, readQuietScratch } from './quiet-fs.js';
import { inRoot } from '../paths.js';
import type { InfoTexts } from './info-texts.js';
import { parseList, parseSums, type InfoRows } from './dpkg-info-rows.js';
import { parseStatusPackages, type StatusPackage } from './dpkg-status.js';

export class NotModelled extends Error {}

/** Lines planned between two turns of the event loop. */
const SLICE_LINES = 4096;

export interface PlannedCheck {
  /** The info file stem: "name" or "name:arch" (Multi-Arch: same). */
  pkg: string;
  /** The path dpkg lstats, opens and prints (after the diversion). */
  path: BytePath;
  /** The digest text compared with the file's md5; undefined: only existence is checked. */
  hash?: string;
  conffile: boolean;
}

/**
 * The checks, in order, as columns: 120,000 of them on a desktop Debian, made
 * beside the walk, so no object per check (check(i) makes one, for tests).
 */
export class VerifyPlan {
  /** Of check i: the path dpkg lstats, opens and prints (after the diversion). */
  readonly paths: BytePath[] = [];
  /** Of check i: the digest text compared with the file's md5; undefined: only existence is checked. */
  readonly hashes: Array<string | undefined> = [];
  /**
   * Of check i: its path up to the last '/' ('' for a top-level name). One
   * string for a run of checks in the same directory, so that looking it up
   * (its hash computed once) costs no new string per check.
   */
  readonly dirs: BytePath[] = [];
  private lastDir?: BytePath;
  /** The checks of conffiles (dpkg's `c` column). */
  private readonly conffiles = new Set<number>();
  /** Package k's checks start at firsts[k]; its info file stem is stems[k]. */
  private readonly firsts: number[] = [];
  private readonly stems: string[] = [];

  get length(): number {
    return this.paths.length;
  }

  startPackage(stem: string): void {
    this.firsts.push(this.paths.length);
    this.stems.push(stem);
  }

  add(path: BytePath, hash: string | undefined, conffile: boolean): void {
    if (conffile) this.conffiles.add(this.paths.length);
    this.paths.push(path);
    this.hashes.push(hash);
    const cut = path.lastIndexOf('/');
    let dir = this.lastDir;
    if (dir === undefined || cut !== dir.length || !path.startsWith(dir)) dir = this.lastDir = path.slice(0, Math.max(cut, 0));
    this.dirs.push(dir);
  }

  isConffile(i: number): boolean {
    return this.conffiles.has(i);
  }

  /** The info file stem of check i's package: "name" or "name:arch" (Multi-Arch: same). */
  stemOf(i: number): string {
    let lo = 0;
    let hi = this.firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firsts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.stems[lo]!;
  }

  check(i: number): PlannedCheck {
    return { pkg: this.stemOf(i), path: this.paths[i]!, hash: this.hashes[i], conffile: this.isConffile(i) };
  }
}

/** fsys_hash_find_node's name: leading slashes and "./" pairs skipped, one '/' put back. */
export function nodeName(path: string): BytePath {
  // What .list files hold: already one leading '/', and no "./" after it.
  if (path.charCodeAt(0) === 47 && path.charCodeAt(1) !== 47 && !path.startsWith('/./')) return path;
  let p = path;
  for (;;) {
    if (p.startsWith('/')) p = p.slice(1);
    else if (p.startsWith('./')) p = p.slice(2);
    else break;
  }
  return `/${p}`;
}

function readText(root: string, path: BytePath): string | undefined {
  try {
    return readQuietScratch(inRoot(root, path)).toString('latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function stripSlash(s: string): string {
  return s.charCodeAt(s.length - 1) === 47 ? s.slice(0, -1) : s;
}

/** The status file's stanzas, with each package's state and raw conffile digests (dpkg-status.ts). */
export function readStatusPackages(root: string, admin: BytePath): StatusPackage[] {
  return parseStatusPackages(readText(root, `${admin}/status`) ?? '');
}

/**
 * dpkg checks a package's name but not a Multi-Arch: same package's
 * Architecture, which makes its info files' stem: "x:../../../../tmp/f"
 * reads info/x:.. (a directory the intruder made), then climbs out of the
 * root to the scanning host's /tmp/f.list, for driftscan and for the real
 * dpkg alike. No info file name holds a '/': such a package stops the check.
 */
export function refuseClimbingStem(pkg: { stem: string; name: string }, admin: BytePath): void {
  if (pkg.stem.includes('/')) {
    throw new Error(`${admin}/status gives package ${pkg.name} an architecture with '/' in it: its info files are not read (they would lie outside ${admin}/info)`);
  }
}

/** Diverted node -> the node used instead, and the package that may use the original (undefined: local). */
function readDiversions(root: string, admin: BytePath): Map<BytePath, { to: BytePath; by?: string }> {
  const l = (readText(root, `${admin}/diversions`) ?? '').split('\n');
  const out = new Map<BytePath, { to: BytePath; by?: string }>();
  for (let i = 0; i + 2 < l.length; i += 3) out.set(nodeName(l[i]!), { to: nodeName(l[i + 1]!), by: l[i + 2] === ':' ? undefined : l[i + 2] });
  return out;
}

/** Every check dpkg --verify (no arguments) would make, in package order, then list order. */
export async function planDpkgVerify(root: string, admin: BytePath, texts?: InfoTexts): Promise<VerifyPlan> {
  // The rows the owner data was read from (the same bytes, parsed once); files not among them are read now.
  const rowsOf = <R extends InfoRows>(path: BytePath, parse: (text: string) => R): R | undefined => {
    if (texts?.has(path)) return texts.get(path) as R | undefined;
    const text = readText(root, path);
    return text === undefined ? undefined : parse(text);
  };
  const pending = listQuiet(inRoot(root, `${admin}/updates`)).filter((n) => /^\d+$/.test(n));
  if (pending.length > 0) throw new NotModelled(`${admin}/updates holds unapplied journal entries`);
  const diversions = readDiversions(root, admin);
  // Few paths are diverted: a path of another length is not looked up.
  const divertedLengths = new Set([...diversions.keys()].map((p) => p.length));
  // dpkg's node state, kept for the whole run: the last md5sums digest of a path, and the conffile marks with their first status digest.
  const newhash = new Map<BytePath, string>();
  const oldhash = new Map<BytePath, string>();
  const plan = new VerifyPlan();
  let sinceTurn = 0;
  for (const pkg of readStatusPackages(root, admin)) {
    // This runs beside the walk, on the same thread: let it in every few thousand lines (one package may list 20,000).
    if (sinceTurn >= SLICE_LINES) {
      await besideWalk();
      sinceTurn = 0;
    }
    if (pkg.state === 'not-installed' || pkg.state === '') continue;
    refuseClimbingStem(pkg, admin);
    const list = rowsOf(`${admin}/info/${pkg.stem}.list`, parseList);
    const sums = rowsOf(`${admin}/info/${pkg.stem}.md5sums`, parseSums);
    if (sums?.problem !== undefined) throw new NotModelled(`${pkg.stem}.md5sums ${sums.problem}`);
    if (sums !== undefined) {
      const { digests, paths } = sums;
      sinceTurn += paths.length + 1;
      for (let i = 0; i < paths.length; i++) newhash.set(nodeName(stripSlash(paths[i]!)), digests[i]!);
    }
    for (const c of pkg.conffiles) {
      const named = nodeName(c.path);
      if (!oldhash.has(named)) oldhash.set(named, c.hash);
    }
    if (list === undefined) continue;
    if (list.problem !== undefined) throw new NotModelled(`${pkg.stem}.list ${list.problem}`);
    plan.startPackage(pkg.stem);
    sinceTurn += list.paths.length;
    for (const line of list.paths) {
      const named = nodeName(stripSlash(line));
      const d = divertedLengths.has(named.length) ? diversions.get(named) : undefined;
      const path = d && d.by !== pkg.name ? d.to : named;
      // Only digests and conffile marks make a node's state: a path without either has none to look up.
      const hash = newhash.get(path);
      const conffile = oldhash.size > 0 && oldhash.has(path);
      plan.add(path, hash ?? (conffile ? oldhash.get(path) : undefined), conffile);
    }
  }
  return plan;
}
