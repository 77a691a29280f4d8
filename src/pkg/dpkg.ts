/**
 * dpkg for a root directory: installed packages (dpkg-query), owners and
 * recorded md5s (read from the database files), the database's own digests,
 * and `dpkg --verify`.
 *
 * Pitfalls handled here and in dpkg-hazards.ts:
 * - dpkg --verify exits 0 when files fail; the printed lines are the result.
 * - it writes the host's /var/log/dpkg.log unless told --log=/dev/null.
 * - it hangs reading a packaged path that became a FIFO (or a link to
 *   /dev/zero) and aborts at one that became a directory: such packages are
 *   left out of the run and reported, and the run has a timeout anyway.
 * - its stdout is block-buffered into our pipe, so a killed dpkg would lose
 *   what it found: it is run under stdbuf -oL.
 */
import { access, constants } from 'node:fs/promises';
import { PackageToolError } from '../errors.js';
import type { PackageData, PackageInfo } from '../types.js';
import { digestDir, digestFiles } from './db-digests.js';
import { DPKG_ADMIN_DIR, readConffiles, readDpkgFiles } from './dpkg-db.js';
import { findVerifyHazards, hazardFindings } from './dpkg-hazards.js';
import { parseDpkgVerify } from './dpkg-parse.js';
import { normalizeRoot } from './root-path.js';
import { DEFAULT_TIMEOUT_MS, describeExit, runTool, TOOLS, type RunOptions } from './run.js';
import { attachOwners, timeoutReason, type ToolVerify } from './verify-result.js';

export interface DpkgVerifyOptions extends RunOptions {
  /** Look for paths that would hang or abort dpkg first (default true). */
  preflight?: boolean;
}

function adminDir(root: string): string {
  return `${normalizeRoot(root)}${DPKG_ADMIN_DIR}`;
}

/** Package states in which the package's files are (at least partly) on disk. */
const PRESENT_STATES = new Set(['installed', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);

export async function readDpkgPackages(root: string, opts: RunOptions = {}): Promise<PackageInfo[]> {
  const format = '${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\n';
  const r = await runTool(TOOLS.dpkgQuery, [`--admindir=${adminDir(root)}`, '-W', `--showformat=${format}`], opts);
  const out = r.stdout.toString('latin1');
  if (r.timedOut || r.signal || (r.code !== 0 && out === '')) throw new PackageToolError(describeExit('dpkg-query -W', r));
  const packages: PackageInfo[] = [];
  for (const line of out.split('\n')) {
    const [state, name, version, arch] = line.split('\t');
    if (name && PRESENT_STATES.has(state)) packages.push({ name, version: version ?? '', arch: arch ?? '' });
  }
  if (packages.length === 0) {
    throw new PackageToolError(`the dpkg database in ${adminDir(root)} lists no installed packages: wrong or empty database`);
  }
  return packages;
}

export async function readDpkgData(root: string, opts: RunOptions = {}): Promise<PackageData> {
  const packages = await readDpkgPackages(root, opts);
  const files = await readDpkgFiles(root);
  const dbFiles = {
    ...(await digestFiles(root, ['status', 'diversions', 'statoverride'].map((n) => `${DPKG_ADMIN_DIR}/${n}`))),
    ...(await digestDir(root, `${DPKG_ADMIN_DIR}/info`, (n) => /\.(md5sums|list|conffiles)$/.test(n))),
  };
  return { manager: 'dpkg', packages, files, dbFiles };
}

export async function verifyDpkg(root: string, owners: PackageData, opts: DpkgVerifyOptions = {}): Promise<ToolVerify> {
  if (owners.packages.length === 0) {
    throw new PackageToolError('no dpkg packages known for this root: refusing to call an empty verify clean');
  }
  const diagnostics: string[] = [];
  const incomplete: string[] = [];
  let findings = [] as ToolVerify['findings'];
  let packageArgs: string[] = [];

  if (opts.preflight !== false) {
    const hazards = await findVerifyHazards(root, owners);
    if (hazards.length > 0) {
      findings = hazardFindings(hazards, await readConffiles(root));
      const skipped = new Set(hazards.map((h) => h.pkg));
      // Owner names are info file stems ("name" or "name:arch"), which dpkg accepts.
      const present = new Set(owners.packages.map((p) => p.name));
      packageArgs = [...new Set(Object.values(owners.files).map((f) => f.pkg))]
        .filter((p) => !skipped.has(p) && present.has(p.split(':')[0]))
        .sort();
      incomplete.push(
        `dpkg --verify was not run for ${[...skipped].sort().join(', ')}: a packaged file is no longer a regular file ` +
          '(dpkg would hang or abort on it); the other files of these packages were not verified by dpkg',
      );
      if (packageArgs.length === 0) return { findings, diagnostics, incomplete: incomplete.join('; ') };
    }
  }

  const stdbuf = await isExecutable(TOOLS.stdbuf);
  if (!stdbuf) diagnostics.push(`${TOOLS.stdbuf} not found: if dpkg --verify is stopped, what it found is lost`);
  const dpkgArgs = ['--verify', `--root=${normalizeRoot(root) || '/'}`, `--admindir=${adminDir(root)}`, '--log=/dev/null', ...packageArgs];
  const r = stdbuf
    ? await runTool(TOOLS.stdbuf, ['-oL', TOOLS.dpkg, ...dpkgArgs], opts)
    : await runTool(TOOLS.dpkg, dpkgArgs, opts);

  const parsed = parseDpkgVerify(r.stdout, { isKnownPath: (p) => p in owners.files });
  findings = [...findings, ...attachOwners(parsed.findings, owners)];
  diagnostics.push(...parsed.diagnostics, ...r.stderr.toString('latin1').split('\n').filter((l) => l.trim() !== ''));
  if (r.timedOut) incomplete.push(timeoutReason('dpkg --verify', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  else if (r.signal || r.code !== 0) incomplete.push(`${describeExit('dpkg --verify', r)}; packages after that point were not verified`);

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

