/**
 * The package tool's check of a package's files, done by driftscan inside the
 * root, for packages the tool must not be left to read (dpkg-hazards.ts,
 * rpm-hazards.ts). Each path with a recorded digest is resolved inside the
 * root as the tool would resolve it, and the file it leads to is hashed with
 * the database's algorithm (opened with O_NOATIME). Reported in the tool's own
 * layout: only the digest column is tested, every other column is `?`.
 * Nothing in /proc, /sys or /dev is ever read: such a path is not checked, and
 * says so.
 */
import { besideWalk } from '../beside-walk.js';
import type { BytePath, Finding, FindingSource, PackageData } from '../types.js';
import { digestOfFile } from './read-in-root.js';
import { inPseudoFs, InRootResolver, type Resolved } from './resolve-in-root.js';
import { comparePaths, inRoot } from '../paths.js';

/** Resolutions between two turns of the event loop: this runs beside the walk. */
const BATCH = 2048;

export interface ToolView {
  source: FindingSource;
  /** dpkg opens the path (following a final symlink); rpm lstats it and reads only a regular file. */
  followLast: boolean;
  /** The tool can be left to check a path that resolves so. */
  safe: (r: Resolved) => boolean;
  isConffile?: (path: BytePath) => boolean;
}

type Digested = [BytePath, { pkg: string; digest: string; algo?: string }];

function digested(owners: PackageData): Digested[] {
  return Object.entries(owners.files).filter((e): e is Digested => e[1].digest !== undefined);
}

/** Owner names of the packages with at least one path the tool must not read. */
export async function findHazardousPackages(root: string, owners: PackageData, tool: ToolView): Promise<Set<string>> {
  const resolver = new InRootResolver(root);
  const out = new Set<string>();
  const files = digested(owners);
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % BATCH === 0) await besideWalk();
    const [path, f] = files[i]!;
    if (!out.has(f.pkg) && !tool.safe(resolver.resolve(path, tool.followLast))) out.add(f.pkg);
  }
  return out;
}

/** Every digest-recorded file of `packages`, checked inside the root; findings sorted by path. */
export async function checkPackagesInRoot(root: string, owners: PackageData, packages: Set<string>, tool: ToolView): Promise<Finding[]> {
  const resolver = new InRootResolver(root);
  const out: Finding[] = [];
  const files = digested(owners).filter(([, f]) => packages.has(f.pkg));
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % BATCH === 0) await besideWalk();
    const [path, f] = files[i]!;
    const base: Finding = {
      path, status: 'changed', source: tool.source, marker: tool.isConffile?.(path) ? 'c' : ' ', package: f.pkg,
      deltas: [], extra: [], untested: {},
    };
    const got = checkOne(root, resolver.resolve(path, tool.followLast), f.digest, f.algo ?? 'md5', base);
    if (got) out.push(got);
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

/** One path, as the tool would report it; undefined when it matches. */
function checkOne(root: string, r: Resolved, digest: string, algo: string, base: Finding): Finding | undefined {
  if (!r.ok) {
    if (r.code === 'ENOENT') return { ...base, status: 'missing' };
    return { ...base, flags: '??5??????', note: `(cannot be resolved inside the root: ${r.code})` };
  }
  if (inPseudoFs(r.path)) {
    const why = `leads to ${r.path} in the root, not read`;
    return { ...base, status: 'untested', flags: '?????????', note: `(${why})`, untested: { [algo]: why } };
  }
  if (r.kind !== 'file') return { ...base, flags: '??5??????', note: `(not a regular file: ${r.kind})` };
  const now = digestOfFile(inRoot(root, r.path), algo);
  if ('error' in now) {
    const code = now.error;
    return { ...base, status: 'untested', flags: '?????????', note: `(${code})`, untested: { [algo]: code } };
  }
  return now.digest === digest ? undefined : { ...base, flags: '??5??????' };
}

/**
 * The digest of the regular file at a packaged path, resolved inside the root
 * (a final symlink is not followed), for triage; undefined when there is no
 * such file or it is in /proc, /sys or /dev.
 */
export function digestInRoot(root: string, path: BytePath, algo: string): string | undefined {
  const r = new InRootResolver(root).resolve(path, false);
  if (!r.ok || r.kind !== 'file' || inPseudoFs(r.path)) return undefined;
  const read = digestOfFile(inRoot(root, r.path), algo);
  return 'digest' in read ? read.digest : undefined;
}
