/**
 * Taking a baseline: snapshot the tree under the policy, add the header, seal.
 */
import os from 'node:os';
import type { KeyObject } from 'node:crypto';
import type { Baseline, PackageData } from '../types.js';
import type { Policy } from '../policy/policy.js';
import { ALL_ATTRS } from '../attrs/registry.js';
import { takeSnapshot, type SnapshotOptions } from '../snapshot/snapshot.js';
import { FORMAT_VERSION, TOOL_VERSION } from './format.js';
import { keyId } from './keys.js';
import { RootError } from '../errors.js';
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
}

export function creationTime(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

export async function buildBaseline(opts: BuildOptions): Promise<Baseline> {
  const packagesRead = Promise.resolve(opts.packages);
  // A failure is thrown by the await below, after the walk; until then it must not count as unhandled.
  packagesRead.catch(() => undefined);
  const snap = await takeSnapshot({ root: opts.root, policy: opts.policy, jobs: opts.jobs, progress: opts.progress, onWarning: opts.onWarning });
  if (snap.entries.length === 0) {
    // A baseline of nothing scans clean forever: refuse it, and say which start path was missing.
    const missing = snap.notWalked.size ? [...snap.notWalked] : opts.policy.includes.map((p): [string, string] => [p, 'ENOENT']);
    const why = missing.map(([path, reason]) => `${displayPath(path)} ${describeReason(reason)}`).join(', ');
    throw new RootError(`nothing to walk under ${opts.root}: ${why}; no baseline written`);
  }
  const notWalked = [...snap.notWalked].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const attrs = new Set<string>();
  // for-in rather than Object.keys: no array per entry, in the serial tail of the run.
  for (const e of snap.entries) for (const name in e.attrs) attrs.add(name);
  return {
    header: {
      format: FORMAT_VERSION,
      tool: `driftscan ${TOOL_VERSION}`,
      host: opts.host ?? os.hostname(),
      created: (opts.created ?? creationTime()).toISOString(),
      root: opts.root,
      policy: opts.policy.text,
      attrs: ALL_ATTRS.filter((n) => attrs.has(n)),
      keyId: keyId(opts.signingKey),
      unlisted: [...snap.unlisted.keys()].sort(),
      growing: snap.entries.filter((e) => e.growing && typeof e.attrs.size === 'number').map((e) => [e.path, e.attrs.size as number]),
      ...(notWalked.length ? { notWalked } : {}),
    },
    entries: snap.entries,
    packages: await packagesRead,
  };
}
