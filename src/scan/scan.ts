/**
 * The scan: verify and open the baseline, snapshot the tree with the
 * baseline's own policy, compare, and build the report.
 */
import type { KeyObject } from 'node:crypto';
import type { Baseline, BaselineInfo, BytePath, Finding } from '../types.js';
import { openSealed, openSealedReader } from '../baseline/sealed.js';
import { readBaselineFile } from '../baseline/store.js';
import { parseStoredPolicy, type Policy } from '../policy/policy.js';
import { takeSnapshot, type SnapshotOptions } from '../snapshot/snapshot.js';
import { compareStream } from '../compare/compare.js';
import { summarize, exitBits } from '../report/summary.js';
import type { Report } from '../report/reporters.js';
import { BaselineFormatError, RootError } from '../errors.js';
import { SIGNATURE_BYTES } from '../baseline/format.js';
import type { BaselineReader } from '../baseline/codec.js';
import fs from 'node:fs';
import { comparePaths, fsPath, rootBytes } from '../paths.js';
import { checkPackages, runPackageTool } from './package-check.js';
import { WalkEvidence } from './walk-evidence.js';
import type { PackageChoice } from '../baseline/package-data.js';
import { notWalkedDiagnostics } from '../snapshot/starts.js';

export interface ScanOptions {
  baselineFile: string;
  publicKey?: KeyObject;
  /** Decode without checking the signature (the CLI's loud --no-verify). */
  skipVerify?: boolean;
  root: string;
  /** A policy to use instead of the one stored in the baseline. */
  policy?: Policy;
  jobs?: number;
  progress?: SnapshotOptions['progress'];
  /** Package manager verification: auto (the baseline's, else whatever the root has), none, rpm, dpkg. */
  packages?: PackageChoice;
  packageTimeoutMs?: number;
}

export interface ScanResult {
  /** The verified baseline's header and package data (its entries are read once, during the compare). */
  baseline: BaselineInfo;
  report: Report;
  exitCode: number;
}

export function loadBaseline(file: string, publicKey: KeyObject | undefined, skipVerify = false): Baseline {
  return openSealed(readBaselineFile(file), publicKey, skipVerify);
}

export function checkRoot(root: string): void {
  try {
    if (!fs.statSync(root).isDirectory()) throw new RootError(`root ${root} is not a directory`);
    // access(2), not a listing: reading the root directory would change its atime.
    fs.accessSync(root, fs.constants.R_OK | fs.constants.X_OK);
  } catch (err) {
    if (err instanceof RootError) throw err;
    throw new RootError(`cannot read root ${root}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The baseline's entries, read a second time after the walk so that the walk
 * does not hold the file beside the snapshot (117 MB for a million entries).
 * The bytes must be the ones first verified: Ed25519 signatures are
 * deterministic, so an identical, valid signature means an identical file.
 */
function isPipe(file: string): boolean {
  try {
    return fs.statSync(file).isFIFO();
  } catch {
    return false;
  }
}

function reopen(opts: ScanOptions, signature: Buffer, kept: Buffer | undefined): BaselineReader {
  const file = kept ?? readBaselineFile(opts.baselineFile);
  if (file.length < SIGNATURE_BYTES || !file.subarray(file.length - SIGNATURE_BYTES).equals(signature)) {
    throw new BaselineFormatError(`baseline ${opts.baselineFile} changed during the scan`);
  }
  return openSealedReader(file, opts.publicKey, opts.skipVerify);
}

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const first = readBaselineFile(opts.baselineFile);
  // A pipe (`scan <(...)`) cannot be read twice: its bytes are kept instead.
  const kept = isPipe(opts.baselineFile) ? first : undefined;
  // Only the header and package data are kept: the reader (and the file) go.
  const { header, packages } = openSealedReader(first, opts.publicKey, opts.skipVerify);
  const baseline: BaselineInfo = { header, packages };
  const signature = Buffer.from(first.subarray(first.length - SIGNATURE_BYTES));
  checkRoot(opts.root);
  const policy = opts.policy ?? parseStoredPolicy(baseline.header.policy);
  const growingSize = new Map<BytePath, number>(baseline.header.growing ?? []);
  const packageRun = runPackageTool({
    root: opts.root, baseline, choice: opts.packages ?? 'auto', timeoutMs: opts.packageTimeoutMs,
  });
  const walkWarnings: string[] = [];
  const snap = await takeSnapshot({
    root: opts.root, policy, jobs: opts.jobs, progress: opts.progress, onWarning: (m) => walkWarnings.push(m),
    prefixFor: (path) => growingSize.get(path),
  });
  const entries = reopen(opts, signature, kept);
  const findings = compareStream((visit) => entries.forEachEntry(visit), snap.entries, { unlisted: snap.unlisted });
  addUnlistedFindings(findings, snap.unlisted);
  const walk = new WalkEvidence({
    entries: snap.entries,
    findings: new Map(findings.map((f) => [f.path, f])),
    unlisted: new Set([...snap.unlisted.keys(), ...baseline.header.unlisted]),
    policy,
    live: rootBytes(opts.root) === '/',
    sameFilesystemAsParent: (dir) => sameFilesystemAsParent(opts.root, dir),
  });
  const pkg = checkPackages(await packageRun, { root: opts.root, baseline, policy, baselineFindings: findings, walk });
  const all = [...findings, ...pkg.findings].sort(byPathThenSource);
  const diagnostics: string[] = [...walkWarnings, ...notWalkedDiagnostics(baseline.header), ...pkg.diagnostics];
  if (opts.skipVerify) diagnostics.unshift('WARNING: baseline signature NOT verified (--no-verify)');
  const incomplete = opts.skipVerify === true || pkg.incomplete;
  const summary = summarize(all, snap.entries.length, incomplete);
  return {
    baseline,
    report: {
      header: baseline.header, root: opts.root, findings: all, summary, diagnostics,
      packageManager: pkg.manager, packageChanges: pkg.changes,
    },
    exitCode: exitBits(summary, incomplete),
  };
}

/** lstat of a directory and its parent now (lstat changes no atime). False when either cannot be read. */
function sameFilesystemAsParent(root: string, dir: BytePath): boolean {
  if (dir === '/') return false;
  const parent = dir.slice(0, Math.max(1, dir.lastIndexOf('/')));
  try {
    return fs.lstatSync(fsPath(rootBytes(root), dir)).dev === fs.lstatSync(fsPath(rootBytes(root), parent)).dev;
  } catch {
    return false;
  }
}

const SOURCE_ORDER = { baseline: 0, rpm: 1, dpkg: 2 } as const;

function byPathThenSource(a: Finding, b: Finding): number {
  if (a.path !== b.path) return comparePaths(a.path, b.path);
  return SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source];
}

/** A directory that could not be listed is itself a finding: nothing below it was checked. */
function addUnlistedFindings(findings: Finding[], unlisted: ReadonlyMap<BytePath, string>): void {
  for (const [dir, code] of unlisted) {
    const existing = findings.find((f) => f.path === dir && f.source === 'baseline');
    const reason = `${code}: contents could not be listed`;
    if (existing) {
      existing.untested.contents = reason;
      continue;
    }
    findings.push({
      path: dir, status: 'untested', source: 'baseline', kind: 'dir', marker: ' ',
      flags: '.........', deltas: [], extra: [], untested: { contents: reason },
    });
  }
  findings.sort((a, b) => comparePaths(a.path, b.path));
}
