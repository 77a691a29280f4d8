/**
 * `update`: a new signed baseline that takes the current state only for the
 * accepted findings of a report of this baseline, and keeps every other entry
 * exactly as it was. What was reviewed is what is accepted: the tree is walked
 * again and a path whose state is not the one the report recorded is refused.
 */
import type { KeyObject } from 'node:crypto';
import type { Baseline, BaselineHeader, BytePath, Entry, HistoryStep, PackageData } from '../types.js';
import { openSealed } from '../baseline/sealed.js';
import { readBaselineFile } from '../baseline/store.js';
import { seal } from '../baseline/sealed.js';
import { keyId } from '../baseline/keys.js';
import { entryState, fileDigest } from '../baseline/entry-state.js';
import { TOOL_VERSION } from '../baseline/format.js';
import { parseStoredPolicy } from '../policy/policy.js';
import { takeSnapshot } from '../snapshot/snapshot.js';
import { collectPackageData } from '../pkg/package-data.js';
import { diffPackages } from '../pkg/index.js';
import { ALL_ATTRS } from '../attrs/registry.js';
import { comparePaths, displayPath } from '../paths.js';
import { escapeBytes } from '../report/escape.js';
import { UpdateRefusedError } from '../errors.js';
import { checkRoot } from '../scan/gather.js';
import { changeLines, readReport } from './report-input.js';
import { selectAccepted } from './accept.js';

export interface UpdateOptions {
  baselineFile: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  /** The JSON report's text, and its name for messages. */
  reportText: string;
  reportName: string;
  /** explained, all, or path globs (default: explained). */
  accept?: readonly string[];
  jobs?: number;
  created?: Date;
  onWarning?(message: string): void;
}

export interface Updated {
  /** The root walked again: the report's. */
  root: string;
  baseline: Baseline;
  sealed: Buffer;
  step: HistoryStep;
}

export async function update(opts: UpdateOptions): Promise<Updated> {
  const bytes = readBaselineFile(opts.baselineFile);
  const parentDigest = fileDigest(bytes);
  const parent = openSealed(bytes, opts.publicKey);
  const report = readReport(opts.reportText, opts.reportName);
  if (report.baselineSha256 !== parentDigest) {
    throw new UpdateRefusedError(`report ${opts.reportName} is of another baseline (sha256 ${report.baselineSha256.slice(0, 16)}...), not of ${opts.baselineFile} (sha256 ${parentDigest.slice(0, 16)}...)`);
  }
  const { paths, counts } = selectAccepted(report.findings, opts.accept?.length ? opts.accept : ['explained']);
  checkRoot(report.root);
  const warn = opts.onWarning ?? (() => undefined);
  const snap = await takeSnapshot({ root: report.root, policy: parseStoredPolicy(parent.header.policy), jobs: opts.jobs, onWarning: warn });
  const now = new Map<BytePath, Entry>();
  for (const e of snap.entries) if (paths.has(e.path)) now.set(e.path, e);
  const refused: string[] = [];
  for (const [path, reported] of paths) {
    const e = now.get(path);
    const state = e ? entryState(e) : undefined;
    if (state !== reported) {
      refused.push(`${displayPath(path)} changed since the report (${reported ? 'reported as it was' : 'reported missing'}, ${e ? 'now different' : 'now missing'}); not accepted`);
    }
  }
  if (refused.length) throw new UpdateRefusedError(`${refused.length} accepted path(s) changed since the report; nothing written (scan again and review)`, refused);

  const withPackages = [...paths.values()].length > 0 && report.packageChanges.length > 0 && acceptsPackageChanges(report, paths);
  const packages = withPackages ? await rereadPackages(parent, report.root, report.packageChanges, warn) : parent.packages;
  const entries = merge(parent.entries, paths, now);
  const created = (opts.created ?? new Date()).toISOString();
  const step: HistoryStep = {
    parent: parentDigest, parentCreated: parent.header.created, keyId: keyId(opts.signingKey), at: created,
    report: fileDigest(Buffer.from(opts.reportText, 'utf8')), accepted: counts, packages: withPackages ? 'reread' : 'kept',
  };
  const baseline: Baseline = { header: nextHeader(parent.header, entries, step), entries, packages };
  return { root: report.root, baseline, sealed: seal(baseline, opts.signingKey), step };
}

/** An accepted finding that a package operation explains, or one the package tool reported. */
function acceptsPackageChanges(report: ReturnType<typeof readReport>, paths: Map<BytePath, string | undefined>): boolean {
  return report.findings.some((f) => paths.has(f.path) && (f.explainedBy !== undefined || f.source !== 'baseline'));
}

/** The root's package data now; it must differ from the parent's exactly as the report said. */
async function rereadPackages(parent: Baseline, root: string, reported: string[], warn: (m: string) => void): Promise<PackageData | undefined> {
  const data = await collectPackageData(root, parent.packages?.manager ?? 'auto', warn);
  if (!data || !parent.packages) return data;
  const c = diffPackages(parent.packages.packages, data.packages);
  const e = escapeBytes;
  const lines = changeLines({
    changes: {
      installed: c.installed.map((p) => ({ name: e(p.name), version: e(p.version), arch: e(p.arch) })),
      removed: c.removed.map((p) => ({ name: e(p.name), version: e(p.version), arch: e(p.arch) })),
      upgraded: c.upgraded.map((p) => ({ name: e(p.name), arch: e(p.arch), from: e(p.from), to: e(p.to) })),
    },
  });
  if (lines.join('\n') !== reported.join('\n')) {
    throw new UpdateRefusedError('the installed packages changed since the report; nothing written (scan again and review)');
  }
  return data;
}

/** The parent's entries, with each accepted path replaced by its state now (or gone), in path order. */
function merge(old: readonly Entry[], accepted: Map<BytePath, string | undefined>, now: Map<BytePath, Entry>): Entry[] {
  const kept = old.filter((e) => !accepted.has(e.path));
  const taken = [...now.values()].map(({ prefix: _prefix, ...e }) => e);
  return [...kept, ...taken].sort((a, b) => comparePaths(a.path, b.path));
}

function nextHeader(parent: BaselineHeader, entries: readonly Entry[], step: HistoryStep): BaselineHeader {
  const attrs = new Set<string>(parent.attrs);
  for (const e of entries) for (const name in e.attrs) attrs.add(name);
  return {
    ...parent,
    tool: `driftscan ${TOOL_VERSION}`,
    created: step.at,
    attrs: ALL_ATTRS.filter((n) => attrs.has(n)),
    keyId: step.keyId,
    growing: entries.filter((e) => e.growing && typeof e.attrs.size === 'number').map((e) => [e.path, e.attrs.size as number]),
    history: [...(parent.history ?? []), step],
  };
}
