/**
 * Packaged files dpkg must not be left to read. `dpkg --verify --root=R` opens
 * R/path through the kernel, which follows symlinks against the scanning
 * host's own `/`: a packaged file turned into a link to /proc/kmsg makes it
 * read the host's kernel log until the timeout, and a link to /usr/bin/x
 * verifies the host's file, not the image's. A FIFO or a device makes it
 * hang, a directory makes it abort. So every path with a recorded md5 is first
 * resolved inside the root (resolve-in-root.ts); a package with any path that
 * the kernel would resolve differently, or that is not a plain regular file,
 * is left out of dpkg's run and checked here instead, the way dpkg checks
 * (md5 of what the path leads to, inside the root), in dpkg's own layout.
 * Nothing in /proc, /sys or /dev is ever read.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BytePath, Finding, PackageData } from '../types.js';
import { byBytes } from './db-digests.js';
import { digestQuiet } from './quiet-fs.js';
import { inPseudoFs, InRootResolver, type Resolved } from './resolve-in-root.js';
import { inRoot } from './root-path.js';

/** Resolutions between two turns of the event loop: this runs beside the walk. */
const BATCH = 2048;

function checked(owners: PackageData): Array<[BytePath, { pkg: string; digest: string }]> {
  return Object.entries(owners.files).filter((e): e is [BytePath, { pkg: string; digest: string }] => e[1].digest !== undefined);
}

/** True when dpkg can be left to check the path: the kernel will reach the same regular file (or report it missing). */
function safeForDpkg(r: Resolved): boolean {
  if (!r.ok) return r.code === 'ENOENT' && !r.divergent;
  return !r.divergent && r.kind === 'file' && !inPseudoFs(r.path);
}

/** Packages (owner names) with at least one path dpkg must not read. */
export async function findHazardousPackages(root: string, owners: PackageData): Promise<Set<string>> {
  const resolver = new InRootResolver(root);
  const out = new Set<string>();
  const files = checked(owners);
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % BATCH === 0) await nextTurn();
    const [path, f] = files[i]!;
    if (!out.has(f.pkg) && !safeForDpkg(resolver.resolve(path))) out.add(f.pkg);
  }
  return out;
}

function finding(path: BytePath, pkg: string, conffile: boolean, status: Finding['status'], flags: string | undefined, note: string | undefined): Finding {
  const f: Finding = { path, status, source: 'dpkg', marker: conffile ? 'c' : ' ', package: pkg, deltas: [], extra: [], untested: {} };
  if (flags !== undefined) f.flags = flags;
  if (note !== undefined) f.note = note;
  return f;
}

/** One path as dpkg would report it, resolved inside the root; undefined when it matches. */
function checkOne(root: string, resolver: InRootResolver, path: BytePath, pkg: string, digest: string, conffile: boolean): Finding | undefined {
  const r = resolver.resolve(path);
  if (!r.ok) {
    if (r.code === 'ENOENT') return finding(path, pkg, conffile, 'missing', undefined, undefined);
    return finding(path, pkg, conffile, 'changed', '??5??????', `(cannot be resolved inside the root: ${r.code})`);
  }
  if (inPseudoFs(r.path)) {
    const f = finding(path, pkg, conffile, 'untested', '?????????', `(leads to ${r.path}: not read)`);
    f.untested = { md5: `leads to ${r.path} in the root, not read` };
    return f;
  }
  if (r.kind !== 'file') return finding(path, pkg, conffile, 'changed', '??5??????', `(not a regular file: ${r.kind})`);
  let now: string;
  try {
    now = digestQuiet(inRoot(root, r.path), 'md5');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const f = finding(path, pkg, conffile, 'untested', '?????????', `(${code})`);
    f.untested = { md5: code };
    return f;
  }
  return now === digest ? undefined : finding(path, pkg, conffile, 'changed', '??5??????', undefined);
}

/** dpkg's check of every md5-recorded file of `packages`, done here inside the root. */
export async function checkPackagesInRoot(
  root: string,
  owners: PackageData,
  packages: Set<string>,
  conffiles: Map<BytePath, unknown>,
): Promise<Finding[]> {
  const resolver = new InRootResolver(root);
  const out: Finding[] = [];
  const files = checked(owners).filter(([, f]) => packages.has(f.pkg));
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % BATCH === 0) await nextTurn();
    const [path, f] = files[i]!;
    const got = checkOne(root, resolver, path, f.pkg, f.digest, conffiles.has(path));
    if (got) out.push(got);
  }
  return out.sort((a, b) => byBytes(a.path, b.path));
}
