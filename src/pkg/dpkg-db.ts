/**
 * Reads dpkg's database files directly (they are plain text, and dpkg-query
 * has no per-file digest output):
 *   info/PKG.list       every path the package installed, absolute
 *   info/PKG.md5sums    "<md5>  <path without leading slash>"
 *   status              Conffiles: " /etc/x <md5> [obsolete|remove-on-upgrade]"
 *   diversions          triples of lines: diverted path, new path, diverting package
 * PKG is "name" or "name:arch" (Multi-Arch: same); it is used as the owner name.
 * `admin` is the database directory resolved inside the root (locateDpkgDb);
 * its files are read without following links and without touching atimes.
 */
import { createHash } from 'node:crypto';
import { besideWalk } from '../beside-walk.js';
import type { BytePath, PackageData } from '../types.js';
import { listQuiet, readQuietScratch } from './quiet-fs.js';
import { locateInRoot } from './resolve-in-root.js';
import { comparePaths, inRoot } from '../paths.js';
import { mayMention, type PackageScope } from './package-scope.js';
import type { InfoTexts } from './info-texts.js';
import { hexDigest, parseList, parseSums, type InfoRows } from './dpkg-info-rows.js';

export const DPKG_ADMIN_DIR = '/var/lib/dpkg';
const YIELD_EVERY = 64;

/**
 * The admin directory resolved inside the root, or undefined when the root has
 * no dpkg status file. Throws when the location cannot be resolved inside the
 * root (a link to the host's /var/lib/dpkg loops back on itself there).
 */
export function locateDpkgDb(root: string): BytePath | undefined {
  const dir = locateInRoot(root, DPKG_ADMIN_DIR, 'dir');
  if (dir === undefined) return undefined;
  return locateInRoot(root, `${dir}/status`, 'file') === `${dir}/status` ? dir : undefined;
}

/**
 * Synchronous reads, with the event loop let in every few files: this runs
 * beside a walk, and one promise per file waited a walk step each (on Debian's
 * 1,500 info files that was seconds before dpkg --verify could start).
 */
/** Root-relative path -> sha256 of the very bytes parsed (the database's digests, dbFiles). */
export type ParsedDigests = Map<BytePath, string>;

function readText(root: string, path: BytePath, digests?: ParsedDigests): string | undefined {
  try {
    // Digested and decoded at once: the bytes need not outlive this call.
    const bytes = readQuietScratch(inRoot(root, path));
    digests?.set(path, createHash('sha256').update(bytes).digest('hex'));
    return bytes.toString('latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new Error(`${path} is a symlink: the package database is not read through links`);
    if (code === 'EFBIG') throw new Error(`${path} is not read: ${(e as Error).message} bytes (a sparse file?)`);
    throw e;
  }
}

function lines(text: string | undefined): string[] {
  return text === undefined ? [] : text.split('\n').filter((l) => l !== '');
}

/** The names in the admin directory's info/ (listed without touching its atime). */
export function listInfoDir(root: string, admin: BytePath): string[] {
  return listQuiet(inRoot(root, `${admin}/info`));
}

/** Diverted path -> where another package's copy now lives, and who diverted it. */
export function readDiversions(root: string, admin: BytePath, digests?: ParsedDigests): Map<BytePath, { to: BytePath; by: string }> {
  const l = lines(readText(root, `${admin}/diversions`, digests));
  const out = new Map<BytePath, { to: BytePath; by: string }>();
  for (let i = 0; i + 2 < l.length; i += 3) out.set(l[i], { to: l[i + 1], by: l[i + 2] });
  return out;
}

/** Conffile path -> md5 recorded when it was installed (none for "newconffile"). */
export function readConffiles(root: string, admin: BytePath, digests?: ParsedDigests): Map<BytePath, string | undefined> {
  const out = new Map<BytePath, string | undefined>();
  let inConffiles = false;
  for (const line of lines(readText(root, `${admin}/status`, digests))) {
    if (!line.startsWith(' ')) {
      inConffiles = line.startsWith('Conffiles:');
      continue;
    }
    if (!inConffiles) continue;
    // Parse from the right: the path may contain spaces, the hash and flags cannot.
    const words = line.slice(1).replace(/ (obsolete|remove-on-upgrade)$/, '').replace(/ (obsolete|remove-on-upgrade)$/, '');
    const cut = words.lastIndexOf(' ');
    if (cut <= 0) continue;
    const hash = words.slice(cut + 1);
    out.set(words.slice(0, cut), /^[0-9a-f]{32}$/i.test(hash) ? hash.toLowerCase() : undefined);
  }
  return out;
}

/**
 * Owner and recorded md5 of every file listed in info/*.list; with a scope,
 * of the wanted ones only, and a file that mentions none of them is not parsed.
 */
export async function readDpkgFiles(
  root: string, admin: BytePath, scope?: PackageScope, texts?: InfoTexts, digests?: ParsedDigests, listed?: string[],
): Promise<PackageData['files']> {
  const info = `${admin}/info`;
  // `listed`: the info directory's names as the caller listed them (listing 3,000 names lstats each).
  const names = (listed ?? listQuiet(inRoot(root, info))).slice().sort(comparePaths);
  const diversions = readDiversions(root, admin, digests);
  const conffiles = readConffiles(root, admin, digests);
  const files: PackageData['files'] = {};
  // A diverted path whose other copy lands in the scope: lines naming the original path matter too.
  const divertedIn = scope ? [...diversions].filter(([, d]) => scope.wants(d.to)).map(([from]) => from) : [];
  const wanted = (at: BytePath) => !scope || scope.wants(at);

  // A package's copy of a path another package diverted lives at the new name.
  // Few paths are diverted: a path of another length is not looked up.
  const divertedLengths = new Set([...diversions.keys()].map((p) => p.length));
  const placed = (path: BytePath, pkg: string): BytePath => {
    const d = divertedLengths.has(path.length) ? diversions.get(path) : undefined;
    return d && d.by !== pkg && d.by !== pkg.split(':')[0] ? d.to : path;
  };

  // With rows kept for the verify, every file is parsed (a scan has no scope); else only what may matter.
  const rowsOf = <R>(path: BytePath, text: string | undefined, parse: (text: string) => R): R | undefined => {
    if (text === undefined) {
      texts?.set(path, undefined);
      return undefined;
    }
    const mentions = mayMention(text, scope, divertedIn);
    if (!mentions && !texts) return undefined;
    const rows = parse(text);
    texts?.set(path, rows as InfoRows);
    return mentions ? rows : undefined;
  };
  let read = 0;
  for (const name of names) {
    if (!name.endsWith('.list')) continue;
    if (++read % YIELD_EVERY === 0) await besideWalk();
    const pkg = name.slice(0, -'.list'.length);
    const path = `${info}/${name}`;
    const rows = rowsOf(path, readText(root, path, digests), parseList);
    if (rows === undefined) continue;
    // One owner record for all of a package's paths without a digest: nothing changes these records.
    const owner = { pkg };
    for (const line of rows.paths) {
      if (line === '/.') continue;
      const at = placed(line, pkg);
      if (!files[at] && wanted(at)) files[at] = owner;
    }
  }
  for (const name of names) {
    if (!name.endsWith('.md5sums')) continue;
    if (++read % YIELD_EVERY === 0) await besideWalk();
    const pkg = name.slice(0, -'.md5sums'.length);
    const path = `${info}/${name}`;
    const rows = rowsOf(path, readText(root, path, digests), parseSums);
    if (rows === undefined) continue;
    const { digests: sums, paths, unusual } = rows;
    for (let i = 0, u = 0; i < sums.length; i++) {
      // "<32 hex digits>  <path>"; anything else is not a digest line. Most are lower-case hex already.
      let digest: string | undefined = sums[i]!;
      if (unusual[u] === i) {
        u++;
        digest = hexDigest(digest);
        if (digest === undefined) continue;
      }
      const at = placed(paths[i]!, pkg);
      if (wanted(at)) files[at] = { pkg, digest, algo: 'md5' };
    }
  }
  for (const [path, digest] of conffiles) {
    const owner = files[path];
    if (owner && digest) files[path] = { pkg: owner.pkg, digest, algo: 'md5' };
  }
  return files;
}
