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
import { packagedPaths, recordedMd5Rows } from '../baseline/package-rows.js';
import { readerTotals, type WalkTotals } from '../baseline/totals.js';
import { parseStoredPolicy, type Policy } from '../policy/policy.js';
import { streamSnapshot, type SnapshotOptions } from '../snapshot/snapshot.js';
import { MergeCompare } from '../compare/compare.js';
import { KeptEntries } from './walked-entries.js';
import { LateHooks } from './late-hooks.js';
import { WeakDigestDeferral, type DeferredDigests } from '../snapshot/deferred.js';
import { startHashWorkers, stopStartedWorkers } from '../hash/pool.js';
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
  /**
   * How far the walk gets ahead of the hashing before the package half starts
   * (default PACKAGES_AFTER_BYTES; 0: at the walk's first pause, as tests do to
   * have entries walked both before and after it).
   */
  packagesAfterBytes?: number;
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

/**
 * How far the walk gets ahead of the hashing before the package half starts
 * (the baseline's packaged paths and recorded md5s, KeptEntries, the package
 * tool's start: ~0.1-0.2 s of this thread on a whole host, ~0.45 s before the
 * package data's sections were decoded lazily): about what two workers hash meanwhile. On /usr that is ~11,000
 * entries in; the walk's entries wait for it (held in LateHooks), so it
 * starts after PACKAGES_AFTER_ENTRIES at the latest.
 */
const PACKAGES_AFTER_BYTES = 768 * 1024 * 1024;
const PACKAGES_AFTER_ENTRIES = 32768;

/**
 * With the package half, the heap grows by what it keeps on purpose (the
 * package data, dpkg's database and verify plan, the packaged entries: ~150 MB
 * on a whole host): forced full collections every 64 MB of it stopped a /usr
 * scan's main thread twice for ~0.06 s each to free little.
 */
const PACKAGE_HEAP_STEP = 192 * 1024 * 1024;

export async function gather(opts: GatherOptions): Promise<Gathered> {
  // The workers load while the baseline is verified.
  startHashWorkers(opts.jobs);
  let opened: ReturnType<typeof openBaselineFile>;
  try {
    // A pipe (`scan <(...)`) is copied to an unnamed file outside the root rather than held in memory.
    opened = openBaselineFile(opts.baselineFile, opts.publicKey, opts.skipVerify, () => scratchBase(opts.root));
  } catch (err) {
    stopStartedWorkers();
    throw err;
  }
  try {
    const { reader } = opened;
    const { header } = reader;
    if (opts.progressTotals) opts.progressTotals(readerTotals(reader));
    checkRoot(opts.root);
    const policy = opts.policy ?? parseStoredPolicy(header.policy);
    const growingSize = new Map<BytePath, number>(header.growing ?? []);
    const keeping = opts.packages !== 'none';
    const hooks = new LateHooks();
    let packageRun: Promise<PackageRun> | undefined;
    let md5Walked: (() => void) | undefined;
    // Run as the walk's interlude: the baseline's packaged paths and md5s, the package tool, what to keep of the walk.
    const startPackages = (): void => {
      const packages = reader.packages;
      // dpkg verify: md5s the baseline recorded, for files the walk reads with the recorded sha256 (md5-record.ts).
      const md5 = keeping ? walkMd5(recordedMd5Rows(packages)) : {};
      md5Walked = md5.source?.walked;
      packageRun = runPackageTool({
        root: opts.root, baseline: { header, packages }, choice: opts.packages ?? 'auto', timeoutMs: opts.packageTimeoutMs, md5Source: md5.source,
      });
      // The package half looks entries up by path: only those it can ask about are kept.
      hooks.bind(new KeptEntries(keeping ? packagedPaths(packages) : [], policy.includes), md5.extraDigests);
    };
    const walkWarnings: string[] = [];
    const cursor = reader.cursor();
    const deferral = new WeakDigestDeferral(opts.root);
    // The digests the entry being compared left for later (the sink's, just before merge.now).
    let deferred: DeferredDigests | undefined;
    const merge = new MergeCompare(() => cursor.next(), (_f, now) => now && hooks.keep(now), (now, old) => deferred && deferral.settle(now, old, deferred));
    const snapshot = await streamSnapshot({
      root: opts.root, policy, jobs: opts.jobs, progress: opts.progress, onWarning: (m) => walkWarnings.push(m),
      prefixFor: (path) => growingSize.get(path), extraDigests: keeping ? hooks.extraDigests : undefined,
      deferWeakDigests: deferral, collectAfterGrowth: keeping ? PACKAGE_HEAP_STEP : undefined, interlude: {
        afterBytes: opts.packagesAfterBytes ?? PACKAGES_AFTER_BYTES,
        afterEntries: opts.packagesAfterBytes === undefined ? PACKAGES_AFTER_ENTRIES : Infinity,
        run: startPackages,
      },
    }, (now, digestsLeft) => {
      deferred = digestsLeft;
      merge.now(now);
      deferred = undefined;
      if (keeping) hooks.offer(now);
    });
    md5Walked?.();
    // The rest of the baseline, and the check that the file read is still the one verified.
    const findings = merge.end(snapshot.unlisted);
    return {
      baseline: { header, packages: reader.packages }, compared: { findings, entries: snapshot.entries, walked: hooks.walked() },
      snapshot: { unlisted: snapshot.unlisted }, walkWarnings,
      packageRun: await packageRun!, policy, root: opts.root, unverified: opts.skipVerify === true, baselineDigest: reader.digest,
      sameFilesystemAsParent: (dir) => sameFilesystemAsParent(opts.root, dir),
      // Resolved inside the root: a packaged path's directory may be a link out of it.
      readDigest: (path, algo) => digestInRoot(opts.root, path, algo),
    };
  } finally {
    opened.close();
    // Started for a walk that never began (the root or the baseline refused).
    stopStartedWorkers();
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
