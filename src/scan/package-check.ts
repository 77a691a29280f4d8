/**
 * The package half of a scan: the package manager's own verification, what
 * was installed, removed or upgraded since the baseline, and triage of every
 * finding (explained by a package update, or not).
 */
import type { BaselineInfo, BytePath, Finding, PackageData } from '../types.js';
import {
  checkUnlistedFiles, detectManagers, diffPackages, readPackageData, verifyPackages,
  type Md5Source, type PackageChanges, type PackageManager,
} from '../pkg/index.js';
import { triage } from '../pkg/triage.js';
import type { PackageChoice } from '../pkg/package-data.js';
import type { Policy } from '../policy/policy.js';
import { DPKG_ADMIN_DIR } from '../pkg/dpkg-db.js';
import { RPM_DB_DIRS, withSharedRpmCopy } from '../pkg/rpm-db.js';
import type { WalkEvidence } from './walk-evidence.js';
import { trustsLocalPackages } from '../triage/trust.js';
import { historyQuestions, readHistory, triageFacts, type PackageHistory } from './triage-facts.js';

export interface PackageCheck {
  manager?: PackageManager;
  findings: Finding[];
  diagnostics: string[];
  changes?: PackageChanges;
  /** Something kept the package check from covering everything. */
  incomplete: boolean;
}

/**
 * On a live host the verifier and its libraries are the host's own: if the
 * baseline says they changed, their verdicts are not to be trusted.
 */
const TOOL_PATHS = [
  /^\/(usr\/)?bin\/(rpm|dpkg|dpkg-query|stdbuf)$/,
  /^\/(usr\/)?lib(32|64|x32)?\/([^/]+\/)?(librpm|librpmio|libc\.so|libc-|ld-linux|libselinux|libz\.so|liblzma|libzstd|libbz2|libmd\.so|libsqlite3|liblua|libpopt|libcrypto|libgcrypt)/,
];

function toolsChanged(baselineFindings: readonly Finding[]): string[] {
  return baselineFindings
    .filter((f) => f.status === 'changed' || f.status === 'missing')
    .filter((f) => TOOL_PATHS.some((re) => re.test(f.path)))
    .map((f) => f.path);
}

function chooseManager(choice: PackageChoice, baseline: BaselineInfo, root: string): PackageManager | undefined {
  if (choice === 'none') return undefined;
  if (choice !== 'auto') return choice;
  return baseline.packages?.manager ?? detectManagers(root)[0];
}

/** What the package tool said, gathered while the walk runs. */
export interface PackageRun {
  manager?: PackageManager;
  after?: PackageData;
  findings: Finding[];
  diagnostics: string[];
  incomplete: boolean;
  /** Why the check did not cover everything (a timeout, an abort, a failure). */
  incompleteReason?: string;
  /** The root's own record of package operations, and what its repositories offer (triage). */
  history: PackageHistory;
  /** md5s known from the walk's reads (md5-record.ts), for triage's lookups too. */
  md5Source?: Md5Source;
  /** The installed set's changes since the baseline, when its package data is this manager's: diffed once for every use. */
  changes?: PackageChanges;
}

interface PackageToolOptions {
  root: string;
  baseline: BaselineInfo;
  choice: PackageChoice;
  timeoutMs?: number;
  /** dpkg: md5s known from the walk (md5-record.ts). */
  md5Source?: Md5Source;
}

/**
 * Starts the package manager's verification. It runs in a child process, so
 * the scan starts it first and walks meanwhile. rpm's queries share one copy
 * of its database (rpm-db.ts).
 */
export function runPackageTool(opts: PackageToolOptions): Promise<PackageRun> {
  return withSharedRpmCopy(() => runPackageQueries(opts));
}

async function runPackageQueries(opts: PackageToolOptions): Promise<PackageRun> {
  const manager = chooseManager(opts.choice, opts.baseline, opts.root);
  const run: PackageRun = { manager, findings: [], diagnostics: [], incomplete: false, history: {}, md5Source: opts.md5Source };
  if (!manager) return run;
  try {
    run.after = await readPackageData(opts.root, manager, { timeoutMs: opts.timeoutMs, keepInfoTexts: true });
    const before = opts.baseline.packages;
    if (before?.manager === manager) run.changes = diffPackages(before.packages, run.after.packages);
    // Only what triage will ask about the packages changed since the baseline is read (usually nothing).
    run.history = await readHistory(opts.root, manager, opts.timeoutMs, historyQuestions(run.changes));
    run.diagnostics.push(...(run.history.unreadIndexes ?? []));
    const verified = await verifyPackages(opts.root, manager, run.after, { timeoutMs: opts.timeoutMs, md5Source: opts.md5Source });
    run.findings = verified.findings;
    // Files a removal or upgrade took out of the database are checked too: the tool no longer looks at them.
    if (before) run.findings.push(...(await checkUnlistedFiles(opts.root, before, run.after, run.changes)));
    run.diagnostics.push(...verified.diagnostics.map((d) => `${manager}: ${d}`));
    if (verified.incomplete) {
      run.incomplete = true;
      run.incompleteReason = verified.incomplete;
      run.diagnostics.push(`${manager}: verification incomplete: ${verified.incomplete}`);
    }
  } catch (err) {
    // The baseline half still stands; the package half is reported as not done.
    run.incomplete = true;
    run.incompleteReason = (err as Error).message;
    run.after = undefined;
    run.diagnostics.push(`${manager}: ${(err as Error).message}`);
  }
  return run;
}

/**
 * A package check that did not finish is a finding of its own, on the
 * database it checks: counted under "not checked", and present in every
 * format (ndjson has nothing else to say it).
 */
function unfinishedCheck(manager: PackageManager, reason: string): Finding {
  return {
    path: manager === 'rpm' ? RPM_DB_DIRS[0]! : DPKG_ADMIN_DIR,
    status: 'untested', source: manager, kind: 'dir', marker: ' ',
    deltas: [], extra: [], untested: { 'package-check': reason },
  };
}

/** Joins the package tool's results with the baseline findings: trust, package changes, triage. */
export function checkPackages(run: PackageRun, opts: {
  root: string;
  baseline: BaselineInfo;
  /** The paths the scan covers: package findings elsewhere are shown, marked, and never vouched for. */
  policy: Policy;
  baselineFindings: Finding[];
  /** What the walk saw, to tell which package findings it can vouch for. */
  walk: WalkEvidence;
  /** Reads a walked file's digest the walk did not record; absent: recorded digests only (diff). */
  readDigest?(path: BytePath, algo: string): string | undefined;
}): PackageCheck {
  const result = joinFindings(run, opts);
  if (run.manager && run.incomplete) result.findings.push(unfinishedCheck(run.manager, run.incompleteReason ?? 'unknown'));
  return result;
}

function joinFindings(run: PackageRun, opts: Parameters<typeof checkPackages>[1]): PackageCheck {
  const { manager, after } = run;
  const found = [...run.findings];
  const result: PackageCheck = { manager, findings: found, diagnostics: [...run.diagnostics], incomplete: run.incomplete };
  if (!manager || !after) return result;
  for (const f of found) if (!opts.policy.covers(f.path)) f.outsidePolicy = true;
  if (opts.root === '/' && toolsChanged(opts.baselineFindings).length) {
    for (const f of found) f.untrusted = true;
    result.diagnostics.push(`${manager} findings are UNTRUSTED: the verifier or its libraries changed since the baseline`);
  }
  const before = opts.baseline.packages;
  if (before && before.manager !== manager) {
    result.diagnostics.push(`baseline package data is from ${before.manager}, this root is checked with ${manager}: no triage`);
  } else if (before) {
    result.changes = run.changes ?? diffPackages(before.packages, after.packages);
    // Content is read only from files the walk itself reached, never through a path it did not check.
    const lookup = (path: BytePath, algo: string): string | undefined => {
      const file = opts.walk.fileFor(path);
      if (!file) return undefined;
      const recorded = file.attrs[algo];
      if (typeof recorded === 'string') return recorded;
      // The content the walk read, when its sha256 is the one the baseline recorded with this md5.
      const known = algo === 'md5' ? run.md5Source?.known(file.path) : undefined;
      return known ?? opts.readDigest?.(file.path, algo);
    };
    const facts = triageFacts(run.history, {
      changes: result.changes, after, walk: opts.walk, digest: lookup,
      trustLocal: trustsLocalPackages(opts.policy.text), created: opts.baseline.header.created,
    });
    const extra = triage([...opts.baselineFindings, ...found], before, after, lookup, facts);
    markPreexisting(found, opts.walk);
    result.findings = [...found, ...extra];
    return result;
  }
  markPreexisting(found, opts.walk);
  return result;
}

/**
 * A package difference on a path the walk found as the baseline recorded it
 * is not news: the host was accepted that way. It is kept (json lists it) but
 * does not make the scan unclean. Anything the walk did not look at counts.
 */
function markPreexisting(packageFindings: Finding[], walk: WalkEvidence): void {
  for (const f of packageFindings) {
    if (f.outsidePolicy || !walk.vouches(f)) continue;
    f.triage = 'preexisting';
    // Not news: neither explained nor unexplained, so neither evidence nor a reason.
    delete f.evidence;
    delete f.reason;
  }
}
