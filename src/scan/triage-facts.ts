/**
 * What triage needs beyond the package databases, gathered for the scan: the
 * root's own record of package operations (dpkg.log, rpm's install times and
 * file records, dpkg-statoverride), what its repositories offer, and what
 * the walk saw now (kinds, ctimes, attributes, the top-level merged-/usr links).
 */
import type { BytePath, PackageData } from '../types.js';
import type { PackageChanges, PackageManager } from '../pkg/index.js';
import type { TriageFacts } from '../pkg/triage.js';
import { readDpkgLog, type LogEvent } from '../pkg/dpkg-log.js';
import { readAptLists, type OfferedVersions } from '../pkg/apt-lists.js';
import { readRpmRecords, type RpmFileRecord } from '../pkg/rpm-records.js';
import { readStatOverrides } from '../pkg/dpkg-statoverride.js';
import { readRpmRepodata } from '../pkg/rpm-repodata.js';
import { buildOperations, NOT_FROM_REPOSITORY } from '../triage/operations.js';

import { mergedUsrAliases } from '../triage/path-model.js';
import { recordMismatch, type RecordedAttrs } from '../triage/records.js';
import type { EntryFacts } from '../triage/rules.js';
import type { WalkEvidence } from './walk-evidence.js';

/** A version no readable index offers may be in one that could not be read: not a verdict on its origin. */
const INDEX_NOT_READ = 'package origin not checked: a repository index in the root cannot be read (see the diagnostics)';

export interface PackageHistory {
  events?: LogEvent[];
  installTimes?: Map<string, number>;
  offered?: OfferedVersions;
  rpmFiles?: Map<BytePath, RpmFileRecord>;
  overrides?: Map<BytePath, RecordedAttrs>;
  /** Repository indexes that could not be read, one line each (the report's diagnostics). */
  unreadIndexes?: string[];
}

/** What triage will ask of the root's history, known as soon as the root's package data is read. */
export interface HistoryQuestions {
  /** Some package was installed, upgraded or removed since the baseline: their windows come from dpkg.log. */
  operations: boolean;
  /** The names whose new version's origin is checked: every one installed or upgraded (a removal has none). */
  origins: ReadonlySet<string>;
}

/**
 * From the changes triage goes by (the baseline's package data against the
 * root's). Nothing is asked when there is no triage (no package data in the
 * baseline, or another manager's: no changes), nor, usually, when no package changed.
 */
export function historyQuestions(changes: PackageChanges | undefined): HistoryQuestions {
  if (!changes) return { operations: false, origins: new Set() };
  const origins = new Set([...changes.installed, ...changes.upgraded].map((p) => p.name));
  return { operations: origins.size > 0 || changes.removed.length > 0, origins };
}

/**
 * Read while the package tool runs; a part that cannot be read is left out
 * (nothing is then explained by it). Only what `asks` needs is read: the
 * repository indexes for the names whose origin is checked (a 50 MB apt
 * index costs a scan nothing when no package changed, and an unreadable one
 * is reported only when an answer it might hold was needed), dpkg.log when
 * there is an operation to find the window of. statoverride and rpm's file
 * records are read always: every finding's triage consults them.
 */
export async function readHistory(root: string, manager: PackageManager, timeoutMs: number | undefined, asks: HistoryQuestions): Promise<PackageHistory> {
  if (manager === 'dpkg') {
    const unreadIndexes: string[] = [];
    const offered = readAptLists(root, asks.origins, unreadIndexes);
    return { events: asks.operations ? readDpkgLog(root) : [], offered, overrides: readStatOverrides(root), unreadIndexes };
  }
  const records = await readRpmRecords(root, { timeoutMs });
  const offered = readRpmRepodata(root, asks.origins);
  return { ...(records ? { installTimes: records.installTimes, rpmFiles: records.files } : {}), ...(offered ? { offered } : {}) };
}

export function triageFacts(history: PackageHistory, opts: {
  changes: PackageChanges; after: PackageData; walk: WalkEvidence;
  digest: (path: BytePath, algo: string) => string | undefined;
  trustLocal: boolean;
  /** The baseline's creation time: log lines before it are other operations. */
  created: string;
}): TriageFacts {
  const { rpmFiles, overrides, unreadIndexes, ...logs } = history;
  const operations = buildOperations({
    changes: opts.changes, ...logs, trustLocal: opts.trustLocal,
    since: Math.floor(Date.parse(opts.created) / 1000) || 0,
    lastWrite: rpmFiles && lastWrites(opts.after, rpmFiles, opts.walk, opts.digest),
  }).map((t) => (unreadIndexes?.length && t.distrust === NOT_FROM_REPOSITORY ? { ...t, distrust: INDEX_NOT_READ } : t));
  return {
    changes: opts.changes, operations, entry: (path) => entryFacts(opts.walk, path), aliases: rootAliases(opts.walk),
    recorded: rpmFiles ? (path) => rpmFiles.get(path) : overrides && ((path) => overrides.get(path)),
  };
}

/** Kind and ctime (whole seconds) of what the walk found at a path now. */
export function entryFacts(walk: WalkEvidence, path: BytePath): EntryFacts | undefined {
  // A package path through a merged-/usr link (/bin/hello) is the walk's /usr/bin/hello; the last component is not followed.
  const e = walk.entry(path) ?? walk.resolve(path, false)?.found;
  if (!e) return undefined;
  const ctime = e.attrs.ctime;
  return { kind: e.kind, ctime: Array.isArray(ctime) ? (ctime[0] as number) : undefined, attrs: e.attrs };
}

/**
 * Package name -> the latest ctime among its files that are as its database
 * records them (content and attributes): where its rpm transaction's writes
 * end. A file changed since (a trojan, a chmod) does not stretch the window.
 */
function lastWrites(
  after: PackageData, rpmFiles: Map<BytePath, RpmFileRecord>, walk: WalkEvidence,
  digest: (path: BytePath, algo: string) => string | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [path, rec] of Object.entries(after.files)) {
    const e = entryFacts(walk, path);
    const recorded = rpmFiles.get(path);
    if (e?.ctime === undefined || !recorded || recordMismatch(e, recorded)) continue;
    if (rec.digest && rec.algo && digest(path, rec.algo)?.toLowerCase() !== rec.digest.toLowerCase()) continue;
    if (e.ctime > (out.get(rec.pkg) ?? -Infinity)) out.set(rec.pkg, e.ctime);
  }
  return out;
}

/** Merged /usr, from the scanned root's own top-level links as the walk recorded them. */
function rootAliases(walk: WalkEvidence) {
  const links: Array<[BytePath, string]> = [];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const target = walk.entry(top)?.attrs.target;
    if (typeof target === 'string') links.push([top, target]);
  }
  return mergedUsrAliases(links, (p) => walk.entry(p)?.kind === 'dir');
}

