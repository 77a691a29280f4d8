/**
 * rpm for a root directory: installed packages and recorded digests, the
 * database's own digests, and `rpm -Va`.
 *
 * Pitfalls handled here:
 * - rpm run as root on a root without a database silently creates an empty
 *   one (writing to the scanned disk) and reports nothing: check the database
 *   exists first, and treat an empty package list as an error.
 * - rpm writes to its database even to read it (sqlite -shm/-wal), and reads
 *   update atimes: it runs on a private copy of the database, in a read-only
 *   noatime view of the root (rpm-db.ts, isolate.ts).
 * - rpm's exit status counts failed packages modulo 256, so it means nothing
 *   for -Va; the printed lines are the result.
 * - --root makes rpm chroot, which needs privilege (rpm 4.18 falls back to a
 *   user namespace, where file owners map to nobody and U/G flags go wrong).
 */
import { scopeFiles, type PackageScope } from './package-scope.js';
import { PackageToolError } from '../errors.js';
import type { BytePath, Finding, PackageData } from '../types.js';
import { checkPackagesInRoot, findHazardousPackages } from './check-in-root.js';
import { digestDir } from './db-digests.js';
import { runInRootView } from './isolate.js';
import { findRpmDb, leaseRpmDb, isDbScratch, RPM_DB_DIRS, RPM_DB_FILES } from './rpm-db.js';
import { RPM_VIEW } from './rpm-hazards.js';
import { parseRpmVerify } from './rpm-parse.js';
import { parseRpmQuery, RPM_QUERY_FORMAT } from './rpm-query.js';
import { rootArg } from '../paths.js';
import { DEFAULT_TIMEOUT_MS, describeExit, TOOLS, type RunOptions, type RunResult } from './run.js';
import { attachOwners, timeoutReason, type ToolVerify } from './verify-result.js';

/** The root's database directory (resolved inside it); throws unless it holds a non-empty database file. */
export function ensureRpmDb(root: string): BytePath {
  let dir: BytePath | undefined;
  try {
    dir = findRpmDb(root);
  } catch (e) {
    throw new PackageToolError(`rpm database: ${(e as Error).message}`);
  }
  if (dir !== undefined) return dir;
  throw new PackageToolError(
    `no rpm database in ${rootArg(root)} (looked for ${RPM_DB_FILES.join(', ')} in ${RPM_DB_DIRS.join(' and ')}); ` +
      'not running rpm, which would create an empty one',
  );
}

/** rpm with `args`, chrooted into the read-only view of the root, on a private copy of the database at `dbDir`. */
export async function runRpm(root: string, dbDir: BytePath, args: string[], opts: RunOptions): Promise<RunResult> {
  let lease: ReturnType<typeof leaseRpmDb>;
  try {
    lease = leaseRpmDb(root, dbDir);
  } catch (e) {
    throw new PackageToolError((e as Error).message);
  }
  try {
    return await runInRootView(root, {
      ...opts,
      program: TOOLS.rpm,
      args: (view) => ['--root', view, '--dbpath', dbDir, ...args],
      binds: [{ from: lease.copy, over: dbDir }],
    });
  } finally {
    lease.release();
  }
}

/** With a scope, `files` holds the packaged paths it wants only (rpm -qa prints them all; they are dropped here). */
export async function readRpmData(root: string, opts: RunOptions & { scope?: PackageScope } = {}): Promise<PackageData> {
  const dbDir = ensureRpmDb(root);
  const r = await runRpm(root, dbDir, ['-qa', '--qf', RPM_QUERY_FORMAT], opts);
  checkChroot(root, r);
  if (r.code !== 0 || r.timedOut) throw new PackageToolError(describeExit('rpm -qa', r));
  let parsed: Pick<PackageData, 'packages' | 'files'>;
  try {
    parsed = parseRpmQuery(r.stdout);
  } catch (e) {
    throw new PackageToolError(`rpm -qa gave unusable output: ${(e as Error).message}`);
  }
  if (parsed.packages.length === 0) {
    throw new PackageToolError(`the rpm database in ${rootArg(root)} lists no packages: wrong or empty database`);
  }
  const dbFiles = await digestDir(root, dbDir, (name) => !isDbScratch(name));
  return { manager: 'rpm', packages: parsed.packages, files: scopeFiles(parsed.files, opts.scope), dbFiles };
}

export async function verifyRpm(root: string, owners: PackageData, opts: RunOptions = {}): Promise<ToolVerify> {
  if (owners.packages.length === 0) {
    throw new PackageToolError('no rpm packages known for this root: refusing to call an empty verify clean');
  }
  const dbDir = ensureRpmDb(root);
  const diagnostics: string[] = [];
  let selection = ['-Va'];
  let ownFindings: Finding[] = [];
  const hazardous = await findHazardousPackages(root, owners, RPM_VIEW);
  if (hazardous.size > 0) {
    ownFindings = await checkPackagesInRoot(root, owners, hazardous, RPM_VIEW);
    diagnostics.push(
      `rpm -V was not run for ${[...hazardous].sort().join(', ')}: a packaged file leads into /proc, /sys or /dev; ` +
        'driftscan checked their files\' digests itself, inside the root',
    );
    const others = [...new Set(owners.packages.map((p) => p.name))].filter((n) => !hazardous.has(n)).sort();
    if (others.length === 0) return { findings: ownFindings, diagnostics };
    // `--`: a name from the root's database is a package name to rpm, never an option.
    selection = ['-V', '--', ...others];
  }
  const r = await runRpm(root, dbDir, ['--nodeps', '--noscripts', ...selection], opts);
  checkChroot(root, r);
  const parsed = parseRpmVerify(r.stdout, { isKnownPath: (p) => p in owners.files });
  const stderrLines = r.stderr.toString('latin1').split('\n').filter((l) => l.trim() !== '');
  if (parsed.findings.length === 0 && stderrLines.some((l) => l.startsWith('error:')) && !r.timedOut) {
    throw new PackageToolError(describeExit('rpm -Va', r));
  }
  diagnostics.push(...parsed.diagnostics, ...stderrLines);
  if (process.geteuid?.() !== 0) {
    diagnostics.push('not running as root: rpm verified inside a user namespace, so U and G flags may be wrong');
  }
  const result: ToolVerify = { findings: [...ownFindings, ...attachOwners(parsed.findings, owners)], diagnostics };
  if (r.timedOut) result.incomplete = timeoutReason('rpm -Va', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  else if (r.signal) result.incomplete = `rpm -Va was killed by ${r.signal}`;
  return result;
}

/** rpm must chroot for --root; say plainly when it could not. */
function checkChroot(root: string, r: RunResult): void {
  const stderr = r.stderr.toString('latin1');
  if (/Unable to change root directory|chroot/i.test(stderr) && r.code !== 0) {
    const who = process.geteuid?.() === 0 ? '' : ' (driftscan is not running as root, and user namespaces are not available)';
    throw new PackageToolError(`rpm could not chroot into ${rootArg(root)} for --root${who}: ${stderr.trim()}`);
  }
}
