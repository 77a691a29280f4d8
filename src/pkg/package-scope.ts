/**
 * Which packaged paths a baseline records: those its walk covers. A baseline
 * of /usr/share/doc has no use for the owners and digests of the other 100,000
 * files on the host, and reading, encoding and signing them made a small
 * baseline cost as much as a whole-host one (issue 13, goal 5).
 *
 * Merged /usr: the package database may name a file the walk finds at
 * /usr/lib/x by /lib/x. Where the root's top-level /bin, /sbin or /lib* is a
 * symlink (an lstat inside the root: no link is read, no atime touched), the
 * database's name under it counts as the /usr path it stands for.
 */
import type { BytePath, PackageData } from '../types.js';
import { realFs } from '../walk/fsport.js';
import { inRoot, isUnder } from '../paths.js';

/** What a policy offers: its start paths and whether a path is walked (CompiledPolicy fits). */
export interface WalkScope {
  readonly includes: readonly BytePath[];
  covers(path: BytePath): boolean;
}

export interface PackageScope {
  /** Whether the database's path for a file names something the walk covers. */
  wants(path: BytePath): boolean;
  /** Strings every database line about a wanted path contains (a quick test before parsing a file). */
  needles: BytePath[];
}

const TOP_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/libo32'];

function isLink(root: string, path: BytePath): boolean {
  try {
    return realFs.lstat(inRoot(root, path)).kind === 'symlink';
  } catch {
    return false;
  }
}

/** undefined: the walk covers the whole root, so everything is wanted (no filtering at all). */
export function packageScope(root: string, walk: WalkScope | undefined): PackageScope | undefined {
  if (!walk || walk.includes.includes('/')) return undefined;
  const links = TOP_LINKS.filter((l) => isLink(root, l));
  /** The /usr path a database path under a top-level link stands for. */
  const usrForm = (path: BytePath): BytePath | undefined => {
    for (const l of links) if (isUnder(path, l)) return '/usr' + path;
    return undefined;
  };
  const needles = new Set<BytePath>();
  for (const start of walk.includes) {
    needles.add(start);
    for (const l of links) {
      const usrDir = '/usr' + l;
      if (isUnder(usrDir, start)) needles.add(l);
      else if (isUnder(start, usrDir)) needles.add(l + start.slice(usrDir.length));
    }
  }
  return {
    wants: (path) => {
      if (walk.covers(path)) return true;
      const usr = usrForm(path);
      return usr !== undefined && walk.covers(usr);
    },
    needles: [...needles],
  };
}

/**
 * Whether a database file's text may mention a wanted path (false: skip parsing
 * it). Without the leading slash: dpkg's md5sums name paths relative to /.
 */
export function mayMention(text: string, scope: PackageScope | undefined, extra: readonly BytePath[] = []): boolean {
  if (!scope) return true;
  const has = (n: BytePath) => text.includes(n.slice(1));
  return scope.needles.some(has) || extra.some(has);
}

/** The owners and digests of wanted paths only. */
export function scopeFiles(files: PackageData['files'], scope: PackageScope | undefined): PackageData['files'] {
  if (!scope) return files;
  const out: PackageData['files'] = {};
  for (const path in files) if (scope.wants(path)) out[path] = files[path]!;
  return out;
}
