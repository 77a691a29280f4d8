/**
 * The package half of a scan: the package manager's own verification, what
 * was installed, removed or upgraded since the baseline, and triage of every
 * finding (explained by a package update, or not).
 */
import type { BaselineInfo, BytePath, Entry, Finding, PackageData } from '../types.js';
import {
  detectManagers, diffPackages, digestInRoot, readPackageData, triage, verifyPackages,
  type PackageChanges, type PackageManager,
} from '../pkg/index.js';
import type { PackageChoice } from '../baseline/package-data.js';
import type { Policy } from '../policy/policy.js';

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
}

/**
 * Starts the package manager's verification. It runs in a child process, so
 * the scan starts it first and walks meanwhile.
 */
export async function runPackageTool(opts: {
  root: string;
  baseline: BaselineInfo;
  choice: PackageChoice;
  timeoutMs?: number;
}): Promise<PackageRun> {
  const manager = chooseManager(opts.choice, opts.baseline, opts.root);
  const run: PackageRun = { manager, findings: [], diagnostics: [], incomplete: false };
  if (!manager) return run;
  try {
    run.after = await readPackageData(opts.root, manager, { timeoutMs: opts.timeoutMs });
    const verified = await verifyPackages(opts.root, manager, run.after, { timeoutMs: opts.timeoutMs });
    run.findings = verified.findings;
    run.diagnostics.push(...verified.diagnostics.map((d) => `${manager}: ${d}`));
    if (verified.incomplete) {
      run.incomplete = true;
      run.diagnostics.push(`${manager}: verification incomplete: ${verified.incomplete}`);
    }
  } catch (err) {
    // The baseline half still stands; the package half is reported as not done.
    run.incomplete = true;
    run.after = undefined;
    run.diagnostics.push(`${manager}: ${(err as Error).message}`);
  }
  return run;
}

/** Joins the package tool's results with the baseline findings: trust, package changes, triage. */
export function checkPackages(run: PackageRun, opts: {
  root: string;
  baseline: BaselineInfo;
  /** The paths the scan covers: the package tool's findings elsewhere are not this scan's business. */
  policy: Policy;
  baselineFindings: Finding[];
  /** The scanned entry at a path, if any. */
  current: (path: BytePath) => Entry | undefined;
}): PackageCheck {
  const { manager, after } = run;
  const result: PackageCheck = { manager, findings: [], diagnostics: [...run.diagnostics], incomplete: run.incomplete };
  if (!manager || !after) return result;
  result.findings = run.findings.filter((f) => opts.policy.covers(f.path));
  const outside = run.findings.length - result.findings.length;
  if (outside) result.diagnostics.push(`${manager}: ${outside} findings outside the policy's paths not shown`);
  if (opts.root === '/') {
    const changed = toolsChanged(opts.baselineFindings);
    if (changed.length) {
      for (const f of result.findings) f.untrusted = true;
      result.diagnostics.push(`${manager} findings are UNTRUSTED: the verifier or its libraries changed since the baseline`);
    }
  }
  const before = opts.baseline.packages;
  if (before) {
    if (before.manager !== manager) {
      result.diagnostics.push(`baseline package data is from ${before.manager}, this root is checked with ${manager}: no triage`);
      return result;
    }
    result.changes = diffPackages(before.packages, after.packages);
    const lookup = (path: BytePath, algo: string): string | undefined => {
      const recorded = opts.current(path)?.attrs[algo];
      // Resolved inside the root: a packaged path's directory may be a link out of it.
      return typeof recorded === 'string' ? recorded : digestInRoot(opts.root, path, algo);
    };
    const extra = triage([...opts.baselineFindings, ...result.findings], before, after, lookup);
    markPreexisting(result.findings, opts.baselineFindings);
    result.findings.push(...extra);
  } else {
    markPreexisting(result.findings, opts.baselineFindings);
  }
  return result;
}

/**
 * A package difference on a path the baseline finds unchanged was there when
 * the baseline was taken: the host was accepted that way. It is kept (json
 * lists it) but is not news, and does not make the scan unclean.
 */
function markPreexisting(packageFindings: Finding[], baselineFindings: readonly Finding[]): void {
  const touched = new Set(baselineFindings.map((f) => f.path));
  for (const f of packageFindings) if (!touched.has(f.path)) f.triage = 'preexisting';
}
