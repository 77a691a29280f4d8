/**
 * `dpkg --verify` digests every packaged file on one core, the long pole of a
 * default scan (issue 13, goal 4). Given package names it verifies exactly
 * those, each the way its no-argument run does (dpkg's verify loops over the
 * database or over its arguments, calling the same per-package check), so the
 * packages are split into shares, one dpkg per share, run side by side.
 *
 * The names are the info/*.list stems ("name" or "name:arch", which dpkg
 * accepts unambiguously): a package without a file list has nothing to check.
 * Shares are balanced by the size of each package's md5sums file (one line
 * per digested file), largest first onto the lightest share; an lstat each,
 * no file is opened.
 */
import os from 'node:os';
import type { BytePath } from '../types.js';
import { realFs } from '../walk/fsport.js';
import { listQuiet } from './quiet-fs.js';
import { comparePaths, inRoot } from '../paths.js';

/** How many dpkg processes by default: one per core the process may use. */
export function defaultVerifyJobs(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** dpkg's own rule for a package name (lower case, digits, + - .; alphanumeric first), with an optional :arch. */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*(:[a-z0-9][a-z0-9-]*)?$/;

/**
 * Every installed package with a file list in the database, sorted. The names
 * become dpkg's arguments, and an info file is named by whoever wrote the root:
 * `--instdir=..list` would have made dpkg check the files under its working
 * directory instead of the root's. So a stem is passed only when it is a valid
 * package name of an installed package; the others are returned apart.
 */
export function listedPackages(root: string, admin: BytePath, installed: ReadonlySet<string>): { names: string[]; strays: string[] } {
  const stems = listQuiet(inRoot(root, `${admin}/info`))
    .filter((n) => n.endsWith('.list'))
    .map((n) => n.slice(0, -'.list'.length))
    .sort(comparePaths);
  const ok = (s: string) => PACKAGE_NAME.test(s) && installed.has(s.split(':')[0]!);
  return { names: stems.filter(ok), strays: stems.filter((s) => !ok(s)) };
}

function md5sumsBytes(root: string, admin: BytePath, pkg: string): number {
  try {
    return realFs.lstat(inRoot(root, `${admin}/info/${pkg}.md5sums`)).size;
  } catch {
    return 0;
  }
}

/** At most `jobs` non-empty shares of about equal work, each sorted. */
export function splitPackages(root: string, admin: BytePath, names: readonly string[], jobs: number): string[][] {
  const count = Math.max(1, Math.min(jobs, names.length));
  const shares = Array.from({ length: count }, () => ({ names: [] as string[], weight: 0 }));
  const weighed = names.map((name) => ({ name, weight: md5sumsBytes(root, admin, name) + 64 }));
  weighed.sort((a, b) => b.weight - a.weight || comparePaths(a.name, b.name));
  for (const p of weighed) {
    const lightest = shares.reduce((min, s) => (s.weight < min.weight ? s : min));
    lightest.names.push(p.name);
    lightest.weight += p.weight;
  }
  return shares.map((s) => s.names.sort(comparePaths)).filter((s) => s.length > 0);
}
