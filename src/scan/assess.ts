/**
 * Deciding what a scan found: compare, join the package tool's results,
 * triage, summarize, exit bits. No I/O of its own: everything it looks at is
 * in its input (gather.ts collects it, the compare done as the walk went; a
 * test writes it by hand; diff of two baselines hands it a second baseline's
 * entries as the snapshot).
 */
import type { BaselineInfo, BytePath, Entry, Finding } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { compareStream } from '../compare/compare.js';
import { summarize, exitBits, type FailOn } from '../report/summary.js';
import type { Report } from '../report/reporters.js';
import { comparePaths, displayPath, rootBytes } from '../paths.js';
import { entryState } from '../baseline/entry-state.js';
import { checkPackages, type PackageRun } from './package-check.js';
import { WalkEvidence } from './walk-evidence.js';
import { SortedEntries, type WalkedEntries } from './walked-entries.js';
import { notWalkedDiagnostics } from '../snapshot/starts.js';

export interface AssessInput {
  /** The verified baseline's header and package data. */
  baseline: BaselineInfo;
  /** The baseline's entries in path byte order (unless `compared` is given). */
  forEachBefore?(visit: (old: Entry) => void): void;
  /**
   * The tree now: directories that could not be listed (path -> errno), and
   * its entries in path byte order (unless `compared` is given).
   */
  snapshot: { entries?: readonly Entry[]; unlisted: ReadonlyMap<BytePath, string> };
  /** The compare, done as the walk went (gather): its findings, how many entries were walked, the ones kept to look up. */
  compared?: Compared;
  policy: Policy;
  /** The root scanned: "/" is a live host (its own package tools judged, absolute links inside). */
  root: string;
  /** What the package tool said; absent: no package check. */
  packageRun?: PackageRun;
  walkWarnings?: readonly string[];
  /** The signature was not checked: said first, and never clean. */
  unverified?: boolean;
  /** Whether a directory is on its parent's filesystem (default: not known, so nothing below it is vouched for). */
  sameFilesystemAsParent?(dir: BytePath): boolean;
  /** Which findings make the scan unclean (default: unexplained ones only). */
  failOn?: FailOn;
  /** sha256 of the baseline file, for the report. */
  baselineDigest?: string;
  /**
   * Reads the digest of a walked file whose digest the walk did not record (gather's reads inside the
   * root). Absent, as for two baselines with no tree (diff): package content is judged by recorded digests only.
   */
  readDigest?(path: BytePath, algo: string): string | undefined;
  /** A finding to mask (diff's ignore-diff rules): the rule's name. Masked findings are listed in the diagnostics, not counted. */
  mask?(f: Finding): string | undefined;
}

export interface Compared {
  findings: Finding[];
  entries: number;
  walked: WalkedEntries;
}

export interface Assessment {
  report: Report;
  exitCode: number;
}

const NO_PACKAGE_RUN: PackageRun = { findings: [], diagnostics: [], incomplete: false, history: {} };

export function assess(input: AssessInput): Assessment {
  const { baseline, snapshot, policy, root } = input;
  const { findings, entries, walked } = input.compared ?? compareInMemory(input);
  const walk = new WalkEvidence({
    walked,
    findings: new Map(findings.map((f) => [f.path, f])),
    unlisted: new Set([...snapshot.unlisted.keys(), ...baseline.header.unlisted]),
    policy,
    live: rootBytes(root) === '/',
    sameFilesystemAsParent: input.sameFilesystemAsParent ?? (() => false),
  });
  const pkg = checkPackages(input.packageRun ?? NO_PACKAGE_RUN, { root, baseline, policy, baselineFindings: findings, walk, readDigest: input.readDigest });
  const masked: string[] = [];
  const all = [...findings, ...pkg.findings].sort(byPathThenSource).filter((f) => {
    const rule = input.mask?.(f);
    if (rule !== undefined) masked.push(`masked by ignore-diff ${rule}: ${f.status} ${displayPath(f.path)}`);
    return rule === undefined;
  });
  recordStates(all, walked);
  const diagnostics: string[] = [...(input.walkWarnings ?? []), ...notWalkedDiagnostics(baseline.header), ...pkg.diagnostics, ...masked];
  if (input.unverified) diagnostics.unshift('WARNING: baseline signature NOT verified (--no-verify)');
  const incomplete = input.unverified === true || pkg.incomplete;
  const summary = summarize(all, entries, incomplete, input.failOn);
  return {
    report: {
      header: baseline.header, root, findings: all, summary, diagnostics,
      packageManager: pkg.manager, packageChanges: pkg.changes, baselineDigest: input.baselineDigest,
    },
    exitCode: exitBits(summary, incomplete, input.failOn),
  };
}

/** Two entry lists in memory (diff, tests). */
function compareInMemory(input: AssessInput): Compared {
  const now = input.snapshot.entries ?? [];
  const findings = compareStream(input.forEachBefore ?? (() => undefined), now, { unlisted: input.snapshot.unlisted });
  return { findings, entries: now.length, walked: new SortedEntries(now) };
}

/** Each finding's path as it is now (entryState), so that `update` can tell whether it changed after the report. */
function recordStates(findings: Finding[], now: WalkedEntries): void {
  const states = new Map<BytePath, string>();
  for (const f of findings) {
    let state = states.get(f.path);
    if (state === undefined) {
      const e = now.get(f.path);
      if (e === undefined) continue;
      state = entryState(e);
      states.set(f.path, state);
    }
    f.state = state;
  }
}

const SOURCE_ORDER = { baseline: 0, rpm: 1, dpkg: 2 } as const;

function byPathThenSource(a: Finding, b: Finding): number {
  if (a.path !== b.path) return comparePaths(a.path, b.path);
  return SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source];
}
