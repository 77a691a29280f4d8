/**
 * Taking a baseline: check the start paths, compose the policy, read the
 * package data while the tree is walked, add the header, seal. writeBaseline
 * (the CLI's) writes each entry as the walk hands it on and keeps none;
 * takeBaseline and buildBaseline hold the whole baseline (library, tests).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Baseline, BaselineHeader, PackageData } from '../types.js';
import { parsePolicy, policyForPaths, withFastMode, type Policy } from '../policy/policy.js';
import { DEFAULT_POLICY } from '../policy/default.js';
import { collectPackageData, type PackageChoice } from '../pkg/package-data.js';
import { md5RecorderFor, type Md5Recorder } from '../pkg/md5-record.js';
import { seal, SealWriter, type ByteSink } from './sealed.js';
import type { FrontHeader } from './codec.js';
import { ALL_ATTRS } from '../attrs/registry.js';
import { streamSnapshot, takeSnapshot, type SnapshotOptions } from '../snapshot/snapshot.js';
import { FORMAT_VERSION, TOOL_VERSION } from './format.js';
import { keyId } from './keys.js';
import { RootError, UsageError } from '../errors.js';
import { displayPath } from '../paths.js';
import { describeReason } from '../snapshot/starts.js';

export interface BuildOptions {
  root: string;
  policy: Policy;
  jobs?: number;
  signingKey: KeyObject;
  /** Creation time; SOURCE_DATE_EPOCH makes it reproducible. */
  created?: Date;
  host?: string;
  /**
   * Package metadata, or the promise of it: reading dpkg's file lists costs a
   * core for a second or more on a Debian host, which overlaps the walk.
   */
  packages?: PackageData | Promise<PackageData | undefined>;
  progress?: SnapshotOptions['progress'];
  onWarning?: SnapshotOptions['onWarning'];
  /** Records packaged files' md5 from the walk's reads into the package data (dpkg). */
  md5?: Md5Recorder;
}

/** Seconds a JavaScript Date can hold (8.64e15 ms). */
const MAX_EPOCH_SECONDS = 8.64e12;

/**
 * SOURCE_DATE_EPOCH (reproducible builds): whole seconds since 1970. The
 * specification asks a tool to fail on a malformed value rather than use the
 * current time. Unset or empty: undefined (now).
 */
export function sourceDateEpoch(): Date | undefined {
  const value = process.env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) > MAX_EPOCH_SECONDS) {
    throw new UsageError(`SOURCE_DATE_EPOCH takes whole seconds since 1970, from 0 to ${MAX_EPOCH_SECONDS}, not '${value}'`);
  }
  return new Date(Number(value) * 1000);
}

export function creationTime(): Date {
  return sourceDateEpoch() ?? new Date();
}

export interface TakeOptions {
  root: string;
  /** Start paths relative to the root; they replace the policy's includes. */
  paths?: readonly string[];
  /** The rules (default: the default policy). */
  policy?: Policy;
  /** xxh64 only, no SHA-256 (recorded in the stored policy). */
  fast?: boolean;
  /** Package metadata to record: auto (the first database the root has), none, rpm, dpkg. */
  packages?: PackageChoice;
  /** The key, or a function giving it, called once the start paths and the policy are checked. */
  signingKey: KeyObject | (() => KeyObject);
  jobs?: number;
  created?: Date;
  host?: string;
  progress?: SnapshotOptions['progress'];
  /** Told what the walk and the package read could not use. */
  onWarning?(message: string): void;
}

export interface Taken {
  baseline: Baseline;
  /** The signed file's bytes, ready to write. */
  sealed: Buffer;
}

/** The policy a baseline records: the rules, narrowed to the start paths, --fast appended; parsed once. */
export function composePolicy(opts: Pick<TakeOptions, 'paths' | 'policy' | 'fast'>): Policy {
  if (!opts.paths?.length && !opts.fast) return opts.policy ?? parsePolicy(DEFAULT_POLICY, 'default policy');
  let text = opts.policy?.text ?? DEFAULT_POLICY;
  if (opts.paths?.length) text = policyForPaths([...opts.paths], text);
  if (opts.fast) text = withFastMode(text);
  return parsePolicy(text, 'command line');
}

/** A start path that is not there would give a baseline of nothing, clean forever. */
function checkStartPaths(root: string, paths: readonly string[]): void {
  for (const p of paths) {
    if (!p.startsWith('/')) throw new UsageError(`paths must be absolute (relative to the root): ${p}`);
    // A command-line path is the operator's: its mistakes are usage errors (16), not a rules file's (22).
    if (p.split('/').some((c) => c === '.' || c === '..')) {
      throw new UsageError(`start path ${displayPath(p)} has a '.' or '..' component: name the directory itself`);
    }
    const full = path.join(root, p);
    if (!fs.existsSync(full) && !isSymlink(full)) {
      throw new RootError(`${p} does not exist${root === '/' ? '' : ` under ${root}`}`);
    }
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The start paths and policy checked, the key loaded, the package data being read: what both ways of taking a baseline begin with. */
function prepare(opts: TakeOptions): BuildOptions {
  checkStartPaths(opts.root, opts.paths ?? []);
  const policy = composePolicy(opts);
  const signingKey = typeof opts.signingKey === 'function' ? opts.signingKey() : opts.signingKey;
  const warn = opts.onWarning ?? (() => undefined);
  // Read while the tree is walked (awaited at the end). Given start paths, only
  // their packaged files are recorded; a whole-host baseline keeps every one (unlisted-files.ts).
  const scope = opts.paths?.length ? policy : undefined;
  const packages = collectPackageData(opts.root, opts.packages ?? 'auto', warn, undefined, scope);
  // dpkg's verify needs packaged files' md5: taken in the walk's own reads (md5-record.ts).
  const md5 = md5RecorderFor(opts.root, opts.packages ?? 'auto');
  packages.then((p) => md5?.know(p), () => md5?.know(undefined));
  return {
    root: opts.root, policy, jobs: opts.jobs, signingKey, created: opts.created, host: opts.host,
    packages, progress: opts.progress, onWarning: opts.onWarning, md5,
  };
}

/** A signed baseline of the tree, in memory (the library's, tests'): for a small tree. */
export async function takeBaseline(opts: TakeOptions): Promise<Taken> {
  const build = prepare(opts);
  const baseline = await buildBaseline(build);
  return { baseline, sealed: seal(baseline, build.signingKey) };
}

/** What a streamed baseline leaves: its header, counts and package data, not its entries. */
export interface Written {
  header: BaselineHeader;
  entries: number;
  /** Entries that could not be read completely (marked untested). */
  untested: number;
  packages?: PackageData;
}

/**
 * A signed baseline of the tree, written to `sink` as the walk goes: what
 * `driftscan baseline` does. The same bytes as seal(takeBaseline(...)).
 * Nothing reaches the sink before the first megabyte, so a walk that finds
 * nothing (refused) writes nothing.
 */
export async function writeBaseline(opts: TakeOptions, sink: ByteSink): Promise<Written> {
  return streamBaseline(prepare(opts), sink);
}

export async function streamBaseline(opts: BuildOptions, sink: ByteSink): Promise<Written> {
  const packagesRead = Promise.resolve(opts.packages);
  // A failure is thrown by the await below, after the walk; until then it must not count as unhandled.
  packagesRead.catch(() => undefined);
  const front = frontHeader(opts);
  const writer = new SealWriter(front, opts.signingKey, sink);
  const snap = await streamSnapshot(
    { root: opts.root, policy: opts.policy, jobs: opts.jobs, progress: opts.progress, onWarning: opts.onWarning, extraDigests: opts.md5?.extraDigests },
    (e) => writer.add(e),
  );
  if (snap.entries === 0) refuseEmpty(opts, snap.notWalked);
  const packages = await withMd5(opts, packagesRead);
  const found = { unlisted: [...snap.unlisted.keys()], notWalked: [...snap.notWalked] };
  await writer.finish(found, packages);
  const notWalked = sortedPairs(found.notWalked);
  const header: BaselineHeader = {
    ...front, attrs: writer.attrNames(), unlisted: found.unlisted.sort(), growing: writer.growing,
    ...(notWalked.length ? { notWalked } : {}),
  };
  return { header, entries: writer.count, untested: writer.untested, packages };
}

/** The header fields known before the walk. */
function frontHeader(opts: BuildOptions): FrontHeader {
  return {
    format: FORMAT_VERSION,
    tool: `driftscan ${TOOL_VERSION}`,
    host: opts.host ?? os.hostname(),
    created: (opts.created ?? creationTime()).toISOString(),
    root: opts.root,
    policy: opts.policy.text,
    keyId: keyId(opts.signingKey),
  };
}

/** A baseline of nothing scans clean forever: refuse it, and say which start path was missing. */
function refuseEmpty(opts: BuildOptions, notWalked: ReadonlyMap<string, string>): never {
  const missing = notWalked.size ? [...notWalked] : opts.policy.includes.map((p): [string, string] => [p, 'ENOENT']);
  const why = missing.map(([path, reason]) => `${displayPath(path)} ${describeReason(reason)}`).join(', ');
  throw new RootError(`nothing to walk under ${opts.root}: ${why}; no baseline written`);
}

/** The package data read, with the md5s the walk recorded for its packaged files (dpkg). */
async function withMd5(opts: BuildOptions, packagesRead: Promise<PackageData | undefined>): Promise<PackageData | undefined> {
  const packages = await packagesRead;
  return opts.md5 ? opts.md5.record(packages) : packages;
}

const sortedPairs = (pairs: Array<[string, string]>) => [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

export async function buildBaseline(opts: BuildOptions): Promise<Baseline> {
  const packagesRead = Promise.resolve(opts.packages);
  // A failure is thrown by the await below, after the walk; until then it must not count as unhandled.
  packagesRead.catch(() => undefined);
  const snap = await takeSnapshot({
    root: opts.root, policy: opts.policy, jobs: opts.jobs, progress: opts.progress, onWarning: opts.onWarning,
    extraDigests: opts.md5?.extraDigests,
  });
  if (snap.entries.length === 0) refuseEmpty(opts, snap.notWalked);
  const notWalked = sortedPairs([...snap.notWalked]);
  const attrs = new Set<string>();
  // for-in rather than Object.keys: no array per entry, in the serial tail of the run.
  for (const e of snap.entries) for (const name in e.attrs) attrs.add(name);
  const front = frontHeader(opts);
  return {
    header: {
      format: front.format,
      tool: front.tool,
      host: front.host,
      created: front.created,
      root: front.root,
      policy: front.policy,
      attrs: ALL_ATTRS.filter((n) => attrs.has(n)),
      keyId: front.keyId,
      unlisted: [...snap.unlisted.keys()].sort(),
      growing: snap.entries.filter((e) => e.growing && typeof e.attrs.size === 'number').map((e) => [e.path, e.attrs.size as number]),
      ...(notWalked.length ? { notWalked } : {}),
    },
    entries: snap.entries,
    packages: await withMd5(opts, packagesRead),
  };
}
