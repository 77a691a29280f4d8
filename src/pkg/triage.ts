/**
 * Triage: is a finding explained by a package update, or not?
 *
 * A file is explained only when its package was installed or upgraded since
 * the baseline AND its current content has the digest the package database
 * records for it now: an update that happened to coincide with a tampered
 * file does not excuse the file. A file that is gone is explained when its
 * package was updated or removed and no longer ships it.
 *
 * The database itself can be edited to hide a file (record the trojan's
 * digest, or drop the md5sums line so dpkg skips it). So a recorded digest
 * that changed while its package's version did not, and database files that
 * changed while no package did, are findings of their own.
 */
import type { BytePath, Finding, PackageData } from '../types.js';
import { comparePaths as byBytes } from '../paths.js';
import { diffPackages, type PackageChanges } from './diff.js';
import { buildOperations, type TriageOperation } from '../triage/operations.js';
import { triageFindings } from '../triage/triage-all.js';
import type { EntryFacts, TriageContext } from '../triage/rules.js';
import type { Alias } from '../triage/path-model.js';

/** Current content digest of a path in the given algorithm (md5, sha256, ...). */
export type DigestLookup = Map<BytePath, string> | ((path: BytePath, algo: string) => string | undefined);

export { UNOWNED };
import { baseName, UNOWNED } from '../triage/rules.js';


function lookup(current: DigestLookup, path: BytePath, algo: string): string | undefined {
  return typeof current === 'function' ? current(path, algo) : current.get(path);
}

/** What the scan knows beyond the databases: operations with their windows, the walk's entries, merged /usr. */
export interface TriageFacts {
  /** diffPackages of the two package lists, when the caller has it already. */
  changes?: PackageChanges;
  /** Default: every package change, trusted, with no time window (side effects then explain nothing). */
  operations?: TriageOperation[];
  entry?: (path: BytePath) => EntryFacts | undefined;
  aliases?: Alias[];
  /** rpm: what the database records for a packaged path beyond its digest. */
  recorded?: TriageContext['recorded'];
}

export function triage(findings: Finding[], before: PackageData, after: PackageData, current: DigestLookup, facts: TriageFacts = {}): Finding[] {
  const changes = facts.changes ?? diffPackages(before.packages, after.packages);
  const updated = new Set([...changes.installed, ...changes.upgraded].map((p) => p.name));
  const removed = new Set(changes.removed.map((p) => p.name));
  const operations = facts.operations ?? buildOperations({ changes, trustLocal: true, since: 0 });
  triageFindings(findings, {
    before, after, operations, entry: facts.entry, aliases: facts.aliases, recorded: facts.recorded,
    digest: (path, algo) => lookup(current, path, algo),
  });
  // An upgrade no configured repository offers vouches for nothing, the database's new digests included:
  // bumping a version in the status file must not launder a trojan the walk does not see.
  const distrusted = new Map(operations.filter((o) => o.distrust && o.op.kind === 'upgrade').map((o) => [o.op.name, o.distrust!]));
  for (const name of distrusted.keys()) updated.delete(name);
  // Where another finding already names the path (the walk's, unexplained for the same reason), one is enough.
  const named = new Set(findings.map((f) => f.path));
  // dpkg's database files byte for byte the baseline's give the same recorded digests: nothing to go through.
  const edits = sameDpkgDatabase(before, after) ? [] : recordedDigestEdits(before, after, { updated, removed, distrusted, named });
  const extra = [...edits, ...dbFileEdits(before, after, changes)];
  for (const f of extra) f.triage = 'unexplained';
  return extra;
}

/**
 * dpkg's status, diversions and every list and md5sums file have the digests
 * the baseline recorded, and those digests are of the very bytes the recorded
 * digests were parsed from (dpkg.ts): parsed again they give the same. (rpm's
 * are read apart from its database's digests: always gone through.)
 */
function sameDpkgDatabase(before: PackageData, after: PackageData): boolean {
  if (before.manager !== 'dpkg' || after.manager !== 'dpkg') return false;
  const paths = Object.keys(before.dbFiles);
  if (paths.length === 0 || paths.length !== Object.keys(after.dbFiles).length) return false;
  return paths.every((p) => before.dbFiles[p] === after.dbFiles[p]);
}

/** Recorded digests that changed or vanished while the owning package kept its version, or moved to one nothing vouches for. */
function recordedDigestEdits(
  before: PackageData, after: PackageData,
  ops: { updated: Set<string>; removed: Set<string>; distrusted: ReadonlyMap<string, string>; named: ReadonlySet<BytePath> },
): Finding[] {
  const { updated, removed, distrusted, named } = ops;
  const out: Finding[] = [];
  // ~100,000 paths on a whole host and few findings, if any: the findings are sorted, not the paths.
  for (const path in before.files) {
    const was = before.files[path]!;
    if (!was.digest) continue;
    const now = after.files[path];
    // The same digest, the common case, first: the package names are worked out only for the rest.
    if (now?.digest === was.digest && now.algo === was.algo) continue;
    const name = baseName(was.pkg);
    if (updated.has(name) || removed.has(name)) continue;
    if (now && updated.has(baseName(now.pkg))) continue;
    const distrust = distrusted.get(name);
    if (distrust !== undefined && named.has(path)) continue;
    const what = !now ? 'no longer lists this file' : !now.digest ? 'no longer records a digest for this file' : 'records a different digest for this file';
    const why = distrust
      ? `although ${was.pkg} changed only to a version it cannot vouch for (${distrust})`
      : `although ${was.pkg} did not change version`;
    out.push({
      path,
      status: 'changed',
      source: after.manager,
      package: was.pkg,
      note: `the package database ${what} ${why}: the database may have been edited to hide a change`,
      deltas: [{ attr: 'recorded-digest', old: was.digest, new: now?.digest ?? null }],
      extra: [],
      untested: {},
    });
  }
  return out.sort((a, b) => byBytes(a.path, b.path));
}

/** Database files that changed although no package was installed, removed or upgraded. */
function dbFileEdits(before: PackageData, after: PackageData, changes: PackageChanges): Finding[] {
  if (changes.installed.length + changes.removed.length + changes.upgraded.length > 0) return [];
  const out: Finding[] = [];
  const paths = [...new Set([...Object.keys(before.dbFiles), ...Object.keys(after.dbFiles)])].sort(byBytes);
  for (const path of paths) {
    const was = before.dbFiles[path];
    const now = after.dbFiles[path];
    if (was === now) continue;
    out.push({
      path,
      status: was === undefined ? 'added' : now === undefined ? 'missing' : 'changed',
      source: after.manager,
      package: UNOWNED,
      note: 'package database file changed although no package was installed, removed or upgraded',
      deltas: [{ attr: 'sha256', old: was ?? null, new: now ?? null }],
      extra: [],
      untested: {},
    });
  }
  return out;
}
