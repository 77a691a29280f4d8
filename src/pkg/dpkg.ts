/**
 * dpkg for a root directory: installed packages (dpkg-query), owners and
 * recorded md5s (read from the database files), the database's own digests,
 * and `dpkg --verify`.
 *
 * Pitfalls handled here and in dpkg-hazards.ts:
 * - dpkg --verify exits 0 when files fail; the printed lines are the result.
 * - it writes the host's /var/log/dpkg.log unless told --log=/dev/null.
 * - dpkg and dpkg-query update atimes in the root: they run in a read-only,
 *   noatime view of it (isolate.ts).
 * - dpkg resolves packaged paths through the scanning host's `/`, and hangs on
 *   a FIFO or aborts at a directory: packages with such paths are checked by
 *   driftscan inside the root instead, and the run has a timeout anyway.
 * - the database location itself is resolved inside the root: a
 *   var/lib/dpkg linked to /var/lib/dpkg is not the host's database.
 * - its stdout is block-buffered into our pipe, so a killed dpkg would lose
 *   what it found: it is run under stdbuf -oL.
 */
import { access, constants } from 'node:fs/promises';
import { PackageToolError, UsageError } from '../errors.js';
import type { BytePath, PackageData, PackageInfo } from '../types.js';
import { digestDir, digestFiles } from './db-digests.js';
import { listInfoDir, locateDpkgDb, readConffiles, readDpkgFiles, type ParsedDigests } from './dpkg-db.js';
import { checkPackagesInRoot, findHazardousPackages } from './check-in-root.js';
import { dpkgView } from './dpkg-hazards.js';
import { defaultVerifyJobs, listedPackages, splitPackages } from './dpkg-shares.js';
import { parseDpkgVerify } from './dpkg-parse.js';
import { runInRootView } from './isolate.js';
import { verifyDpkgNative } from './dpkg-native.js';
import { NotModelled, readStatusPackages, refuseClimbingStem } from './dpkg-verify-plan.js';
import type { Md5Source } from './md5-source.js';
import { keepTexts, takeTexts, type InfoTexts } from './info-texts.js';
import type { PackageScope } from './package-scope.js';
import { rootArg } from '../paths.js';
import { DEFAULT_TIMEOUT_MS, describeExit, TOOLS, type RunOptions } from './run.js';
import { attachOwners, timeoutReason, type ToolVerify } from './verify-result.js';

export interface DpkgVerifyOptions extends RunOptions {
  /** Look for paths dpkg must not read first, and check those packages here (default true). */
  preflight?: boolean;
  /** How many dpkg --verify processes share the packages (default: one per core; 1 runs dpkg once, as before). */
  jobs?: number;
  /** driftscan's own verify (default) or the real `dpkg --verify` (DRIFTSCAN_DPKG_VERIFY=tool). */
  verifier?: DpkgVerifier;
  /** md5s known without reading (the walk's, matched against the baseline's record): native only. */
  md5Source?: Md5Source;
}

export type DpkgVerifier = 'native' | 'tool';

/**
 * The verifier a run uses when none is named: the environment's
 * DRIFTSCAN_DPKG_VERIFY (tool or native), native when unset or empty. Any
 * other value is a usage error (the CLI asks before the walk): a typo for
 * `tool` must not quietly run the other verifier.
 */
export function defaultDpkgVerifier(): DpkgVerifier {
  const value = process.env.DRIFTSCAN_DPKG_VERIFY;
  if (value === undefined || value === '' || value === 'native') return 'native';
  if (value === 'tool') return 'tool';
  throw new UsageError(`DRIFTSCAN_DPKG_VERIFY takes tool or native, not '${value}'`);
}

/** The admin directory resolved inside the root; a PackageToolError when there is none or it leads astray. */
export function ensureDpkgDb(root: string): BytePath {
  let admin: BytePath | undefined;
  try {
    admin = locateDpkgDb(root);
  } catch (e) {
    throw new PackageToolError(`dpkg database: ${(e as Error).message}`);
  }
  if (admin === undefined) throw new PackageToolError(`no dpkg database in ${rootArg(root)} (no /var/lib/dpkg/status)`);
  return admin;
}

/** Package states in which the package's files are (at least partly) on disk. */
const PRESENT_STATES = new Set(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);

export async function readDpkgPackages(root: string, opts: RunOptions = {}): Promise<PackageInfo[]> {
  const admin = ensureDpkgDb(root);
  const format = '${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\n';
  const r = await runInRootView(root, {
    ...opts,
    program: TOOLS.dpkgQuery,
    args: (view) => [`--admindir=${view}${admin}`, '-W', `--showformat=${format}`],
  });
  const out = r.stdout.toString('latin1');
  if (r.timedOut || r.signal || (r.code !== 0 && out === '')) throw new PackageToolError(describeExit('dpkg-query -W', r));
  const packages: PackageInfo[] = [];
  for (const line of out.split('\n')) {
    const [state, name, version, arch] = line.split('\t');
    if (name && PRESENT_STATES.has(state)) packages.push({ name, version: version ?? '', arch: arch ?? '' });
  }
  if (packages.length === 0) {
    throw new PackageToolError(`the dpkg database in ${rootArg(root)} lists no installed packages: wrong or empty database`);
  }
  return packages;
}

/** With a scope, `files` holds the packaged paths it wants only; packages and database digests are whole. */
export async function readDpkgData(root: string, opts: RunOptions & { scope?: PackageScope; keepInfoTexts?: boolean } = {}): Promise<PackageData> {
  const packages = await readDpkgPackages(root, opts);
  const admin = ensureDpkgDb(root);
  const texts: InfoTexts | undefined = opts.keepInfoTexts ? new Map() : undefined;
  // The digests of status, diversions and every list and md5sums file are those of the bytes parsed
  // (one read each): a file rewritten between a parse and a digest cannot show its old digest.
  const parsed: ParsedDigests = new Map();
  // The info directory listed once, for the owner data and the conffiles lists' digests.
  const infoNames = listInfoDir(root, admin);
  const files = await readDpkgFiles(root, admin, opts.scope, texts, parsed, infoNames);
  const dbFiles: Record<BytePath, string> = {
    ...(await digestFiles(root, [`${admin}/statoverride`])),
    ...(await digestDir(root, `${admin}/info`, (n) => n.endsWith('.conffiles'), infoNames)),
  };
  for (const [path, digest] of parsed) dbFiles[path] = digest;
  const data: PackageData = { manager: 'dpkg', packages, files, dbFiles };
  if (texts) keepTexts(data, texts);
  return data;
}

export async function verifyDpkg(root: string, owners: PackageData, opts: DpkgVerifyOptions = {}): Promise<ToolVerify> {
  if (owners.packages.length === 0) {
    throw new PackageToolError('no dpkg packages known for this root: refusing to call an empty verify clean');
  }
  const admin = ensureDpkgDb(root);
  const diagnostics: string[] = [];
  if ((opts.verifier ?? defaultDpkgVerifier()) === 'native') {
    try {
      const { findings, diagnostics: seen } = await verifyDpkgNative(root, admin, owners, opts.md5Source, takeTexts(owners));
      return { findings, diagnostics: seen };
    } catch (e) {
      if (!(e instanceof NotModelled)) throw e;
      diagnostics.push(`${e.message}: the real dpkg --verify is run instead of driftscan's own`);
    }
  }
  // The real dpkg reads the same info files through the kernel, out of the root's view.
  for (const pkg of readStatusPackages(root, admin)) refuseClimbingStem(pkg, admin);
  const incomplete: string[] = [];
  let findings = [] as ToolVerify['findings'];
  let packageArgs: string[] = [];

  if (opts.preflight !== false) {
    const view = dpkgView(readConffiles(root, admin));
    const hazardous = await findHazardousPackages(root, owners, view);
    if (hazardous.size > 0) {
      findings = await checkPackagesInRoot(root, owners, hazardous, view);
      // Owner names are info file stems ("name" or "name:arch"), which dpkg accepts.
      const present = new Set(owners.packages.map((p) => p.name));
      packageArgs = [...new Set(Object.values(owners.files).map((f) => f.pkg))]
        .filter((p) => !hazardous.has(p) && present.has(p.split(':')[0]))
        .sort();
      diagnostics.push(
        `dpkg --verify was not run for ${[...hazardous].sort().join(', ')}: a packaged path leads out of the root, ` +
          'into /proc, /sys or /dev, or to something other than a regular file; driftscan checked their files itself, inside the root',
      );
      if (packageArgs.length === 0) return { findings, diagnostics };
    }
  }

  const stdbuf = await isExecutable(TOOLS.stdbuf);
  if (!stdbuf) diagnostics.push(`${TOOLS.stdbuf} not found: if dpkg --verify is stopped, what it found is lost`);
  // Several dpkg processes, each with a share of the packages, each in its own read-only view.
  const jobs = opts.jobs ?? defaultVerifyJobs();
  let names = packageArgs;
  if (packageArgs.length === 0 && jobs > 1) {
    // Config-files packages too: dpkg's own no-argument run checks their conffiles.
    const known = readStatusPackages(root, admin).filter((p) => p.state !== '' && p.state !== 'not-installed');
    const listed = listedPackages(root, admin, new Set(known.map((p) => p.name)));
    names = listed.names;
    for (const s of listed.strays) diagnostics.push(`info/${s}.list names no installed package: not passed to dpkg`);
  }
  const shares = jobs > 1 && names.length > 1 ? splitPackages(root, admin, names, jobs) : [packageArgs];
  const runs = await Promise.all(shares.map((share) => runInRootView(root, {
    ...opts,
    program: stdbuf ? TOOLS.stdbuf : TOOLS.dpkg,
    args: (view) => [
      ...(stdbuf ? ['-oL', TOOLS.dpkg] : []),
      // `--`: whatever a name holds, dpkg takes it as a package name, never as an option.
      '--verify', `--root=${view}`, `--admindir=${view}${admin}`, '--log=/dev/null', '--', ...share,
    ],
  })));

  for (const r of runs) {
    const parsed = parseDpkgVerify(r.stdout, { isKnownPath: (p) => p in owners.files });
    findings = [...findings, ...attachOwners(parsed.findings, owners)];
    diagnostics.push(...parsed.diagnostics, ...r.stderr.toString('latin1').split('\n').filter((l) => l.trim() !== ''));
    const share = runs.length > 1 ? ` (one of ${runs.length} dpkg processes sharing the packages)` : '';
    if (r.timedOut) incomplete.push(timeoutReason('dpkg --verify', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) + share);
    else if (r.signal || r.code !== 0) incomplete.push(`${describeExit('dpkg --verify', r)}; packages after that point were not verified${share}`);
  }

  const result: ToolVerify = { findings, diagnostics };
  if (incomplete.length > 0) result.incomplete = incomplete.join('; ');
  return result;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
