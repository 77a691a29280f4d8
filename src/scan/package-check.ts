/**
 * The package half of a scan: the package manager's own verification, what
 * was installed, removed or upgraded since the baseline, and triage of every
 * finding (explained by a package update, or not).
 */
import type { Baseline, BytePath, Entry, Finding, PackageData } from '../types.js';
import {
  detectManagers, diffPackages, readPackageData, triage, verifyPackages,
  type PackageChanges, type PackageManager,
} from '../pkg/index.js';
import type { PackageChoice } from '../baseline/package-data.js';
import { digestFile } from '../hash/ondemand.js';
import { fsPath } from '../paths.js';

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

function chooseManager(choice: PackageChoice, baseline: Baseline, root: string): PackageManager | undefined {
  if (choice === 'none') return undefined;
  if (choice !== 'auto') return choice;
  return baseline.packages?.manager ?? detectManagers(root)[0];
}

export async function checkPackages(opts: {
  root: string;
  baseline: Baseline;
  choice: PackageChoice;
  baselineFindings: Finding[];
  current: ReadonlyMap<BytePath, Entry>;
  timeoutMs?: number;
}): Promise<PackageCheck> {
  const manager = chooseManager(opts.choice, opts.baseline, opts.root);
  const result: PackageCheck = { manager, findings: [], diagnostics: [], incomplete: false };
  if (!manager) return result;
  const before = opts.baseline.packages;
  let after: PackageData;
  try {
    after = await readPackageData(opts.root, manager, { timeoutMs: opts.timeoutMs });
    const verified = await verifyPackages(opts.root, manager, after, { timeoutMs: opts.timeoutMs });
    result.findings = verified.findings;
    result.diagnostics.push(...verified.diagnostics.map((d) => `${manager}: ${d}`));
    if (verified.incomplete) {
      result.incomplete = true;
      result.diagnostics.push(`${manager}: verification incomplete: ${verified.incomplete}`);
    }
  } catch (err) {
    // The baseline half still stands; the package half is reported as not done.
    result.incomplete = true;
    result.diagnostics.push(`${manager}: ${(err as Error).message}`);
    return result;
  }
  if (opts.root === '/') {
    const changed = toolsChanged(opts.baselineFindings);
    if (changed.length) {
      for (const f of result.findings) f.untrusted = true;
      result.diagnostics.push(`${manager} findings are UNTRUSTED: the verifier or its libraries changed since the baseline`);
    }
  }
  if (before) {
    if (before.manager !== manager) {
      result.diagnostics.push(`baseline package data is from ${before.manager}, this root is checked with ${manager}: no triage`);
      return result;
    }
    result.changes = diffPackages(before.packages, after.packages);
    const lookup = (path: BytePath, algo: string): string | undefined => {
      const recorded = opts.current.get(path)?.attrs[algo];
      return typeof recorded === 'string' ? recorded : digestFile(fsPath(opts.root, path), algo);
    };
    const extra = triage([...opts.baselineFindings, ...result.findings], before, after, lookup);
    result.findings.push(...extra);
  }
  return result;
}
