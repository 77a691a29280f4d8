/**
 * The package module's API, used by the baseline (readPackageData) and the
 * scan (verifyPackages, diffPackages; triage, which decides, is in triage.ts). Everything here works on a root
 * directory: "/" for the live host, or a mounted disk.
 */
import { PackageToolError } from '../errors.js';
import type { Finding, PackageData } from '../types.js';
import { realFs } from '../walk/fsport.js';
import { readDpkgData, verifyDpkg, type DpkgVerifier } from './dpkg.js';
import type { Md5Source } from './md5-source.js';
import { locateDpkgDb } from './dpkg-db.js';
import { findRpmDb } from './rpm-db.js';
import { inRoot } from '../paths.js';
import { readRpmData, verifyRpm } from './rpm.js';
import type { PackageScope } from './package-scope.js';

export { diffPackages, type PackageChanges } from './diff.js';
export { parseRpmVerify } from './rpm-parse.js';
export { parseDpkgVerify } from './dpkg-parse.js';
export { DEFAULT_TIMEOUT_MS } from './run.js';
export { digestInRoot } from './check-in-root.js';
export { checkUnlistedFiles } from './unlisted-files.js';
export { defaultDpkgVerifier, type DpkgVerifier } from './dpkg.js';
export type { Md5Source } from './md5-source.js';

export type PackageManager = 'rpm' | 'dpkg';

export interface PackageOptions {
  /** Per tool run; default 120 s. */
  timeoutMs?: number;
  /** Record only the packaged paths a walk covers (package-scope.ts); default all. */
  scope?: PackageScope;
  /** dpkg: keep the info files' texts for the verify that follows (a scan), instead of reading them again. */
  keepInfoTexts?: boolean;
}

export interface VerifyOptions extends PackageOptions {
  /** dpkg only: look for packaged paths that would hang or abort dpkg first (default true). */
  preflight?: boolean;
  /** dpkg only: how many dpkg --verify processes share the packages (default one per core). */
  jobs?: number;
  /** dpkg only: driftscan's own verify (default) or the real dpkg --verify. */
  verifier?: DpkgVerifier;
  /** dpkg only: md5s known without reading them again (the walk's). */
  md5Source?: Md5Source;
}

export interface VerifyResult {
  manager: PackageManager;
  findings: Finding[];
  /** Lines the tool printed that are not file results, and its stderr. */
  diagnostics: string[];
  /** Set when the findings do not cover every package, with the reason. */
  incomplete?: string;
}

/**
 * Whether the root has this database, looked up inside the root. A location
 * that cannot be resolved there (a link looping back, a link into /proc) counts
 * as present: reading it then fails with the reason, instead of the package
 * half being silently skipped.
 */
function present(locate: (root: string) => string | undefined, root: string): boolean {
  try {
    return locate(root) !== undefined;
  } catch {
    return true;
  }
}

/** The admin directory when its status file is not empty (an unused dpkg on an rpm host has an empty one). */
function dpkgStatusWithData(root: string): string | undefined {
  const admin = locateDpkgDb(root);
  if (admin === undefined) return undefined;
  return realFs.lstat(inRoot(root, `${admin}/status`)).size > 0 ? admin : undefined;
}

/** Managers whose database is present in the root: a non-empty rpm database file, a dpkg status file. */
export function detectManagers(root: string): PackageManager[] {
  const found: PackageManager[] = [];
  if (present(findRpmDb, root)) found.push('rpm');
  if (present(dpkgStatusWithData, root)) found.push('dpkg');
  return found;
}

export async function readPackageData(root: string, manager: PackageManager, opts: PackageOptions = {}): Promise<PackageData> {
  return asToolError(manager, () => (manager === 'rpm' ? readRpmData(root, opts) : readDpkgData(root, opts)));
}

export async function verifyPackages(
  root: string,
  manager: PackageManager,
  owners: PackageData,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  if (owners.manager !== manager) {
    throw new PackageToolError(`verify ${manager}: the owner data given is from ${owners.manager}`);
  }
  const r = await asToolError(manager, () => (manager === 'rpm' ? verifyRpm(root, owners, opts) : verifyDpkg(root, owners, opts)));
  return { manager, ...r };
}

/** Reading the database files can fail too (EACCES on a mounted disk): a tool error, not a crash. */
async function asToolError<T>(manager: PackageManager, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof PackageToolError) throw e;
    throw new PackageToolError(`${manager}: ${(e as Error).message}`);
  }
}
