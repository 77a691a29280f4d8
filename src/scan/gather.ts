/**
 * The effects of a scan: open and verify the baseline, start the package
 * tool, walk the tree with the baseline's own policy, and compare each entry
 * with the baseline's as the walk hands it on (both in path order), keeping
 * only findings and the entries the package checks may look up. Everything
 * decided from them is assess.ts's.
 */
import fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { BaselineInfo, BytePath } from '../types.js';
import { openBaselineFile } from '../baseline/load.js';
import { readerTotals, type WalkTotals } from '../baseline/totals.js';
import { parseStoredPolicy, type Policy } from '../policy/policy.js';
import { streamSnapshot, type SnapshotOptions } from '../snapshot/snapshot.js';
import { MergeCompare } from '../compare/compare.js';
import { KeptEntries } from './walked-entries.js';
import type { Compared } from './assess.js';
import { RootError } from '../errors.js';
import { fsPath, rootBytes } from '../paths.js';
import { runPackageTool, type PackageRun } from './package-check.js';
import type { PackageChoice } from '../pkg/package-data.js';
import { digestInRoot } from '../pkg/index.js';
import { scratchBase } from '../pkg/scratch.js';
import { walkMd5 } from '../pkg/md5-record.js';

export interface GatherOptions {
  baselineFile: string;
  publicKey?: KeyObject;
  /** Decode without checking the signature (the CLI's loud --no-verify). */
  skipVerify?: boolean;
  root: string;
  /** A policy to use instead of the one stored in the baseline. */
  policy?: Policy;
  jobs?: number;
  progress?: SnapshotOptions['progress'];
  /** Told the baseline's entry count and file bytes before the walk, for a progress line's percentage (costs one extra decode). */
  progressTotals?: (totals: WalkTotals) => void;
  /** Package manager verification: auto (the baseline's, else whatever the root has), none, rpm, dpkg. */
  packages?: PackageChoice;
  packageTimeoutMs?: number;
}

/** What a scan gathered: the input of assess(). */
export interface Gathered {
  /** The verified baseline's header and package data. */
  baseline: BaselineInfo;
  /** The walk compared with the baseline's entries. */
  compared: Compared;
  /** Directories the walk could not list. */
  snapshot: { unlisted: ReadonlyMap<BytePath, string> };
  /** What the walk could not use, as it said it. */
  walkWarnings: string[];
  packageRun: PackageRun;
  policy: Policy;
  root: string;
  /** The signature was not checked (--no-verify): never a clean result. */
  unverified: boolean;
  /** sha256 of the baseline file, recorded in the report (update checks it). */
  baselineDigest: string;
  /** Whether a directory is on its parent's filesystem now (see WalkView). */
  sameFilesystemAsParent(dir: BytePath): boolean;
  /** A walked file's digest the walk did not record, read inside the root. */
  readDigest(path: BytePath, algo: string): string | undefined;
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

export async function gather(opts: GatherOptions): Promise<Gathered> {
  // A pipe (`scan <(...)`) is copied to an unnamed file outside the root rather than held in memory.
  const opened = openBaselineFile(opts.baselineFile, opts.publicKey, opts.skipVerify, () => scratchBase(opts.root));
  try {
    const { reader } = opened;
    const { header, packages } = reader;
    if (opts.progressTotals) opts.progressTotals(readerTotals(reader));
    const baseline: BaselineInfo = { header, packages };
    checkRoot(opts.root);
    const policy = opts.policy ?? parseStoredPolicy(header.policy);
    const growingSize = new Map<BytePath, number>(header.growing ?? []);
    // dpkg verify: md5s the baseline recorded, for files the walk reads with the recorded sha256 (md5-record.ts).
    const md5 = opts.packages === 'none' ? {} : walkMd5(packages?.contentMd5);
    const packageRun = runPackageTool({
      root: opts.root, baseline, choice: opts.packages ?? 'auto', timeoutMs: opts.packageTimeoutMs, md5Source: md5.source,
    });
    const walkWarnings: string[] = [];
    // The package half looks entries up by path: only those it can ask about are kept.
    const walked = new KeptEntries(opts.packages === 'none' ? [] : Object.keys(packages?.files ?? {}), policy.includes);
    const keeping = opts.packages !== 'none';
    const cursor = reader.cursor();
    const merge = new MergeCompare(() => cursor.next(), (_f, now) => now && walked.keep(now));
    const snapshot = await streamSnapshot({
      root: opts.root, policy, jobs: opts.jobs, progress: opts.progress, onWarning: (m) => walkWarnings.push(m),
      prefixFor: (path) => growingSize.get(path), extraDigests: md5.extraDigests,
    }, (now) => {
      merge.now(now);
      if (keeping) walked.offer(now);
    });
    md5.source?.walked();
    // The rest of the baseline, and the check that the file read is still the one verified.
    const findings = merge.end(snapshot.unlisted);
    return {
      baseline, compared: { findings, entries: snapshot.entries, walked }, snapshot: { unlisted: snapshot.unlisted }, walkWarnings,
      packageRun: await packageRun, policy, root: opts.root, unverified: opts.skipVerify === true, baselineDigest: reader.digest,
      sameFilesystemAsParent: (dir) => sameFilesystemAsParent(opts.root, dir),
      // Resolved inside the root: a packaged path's directory may be a link out of it.
      readDigest: (path, algo) => digestInRoot(opts.root, path, algo),
    };
  } finally {
    opened.close();
  }
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
