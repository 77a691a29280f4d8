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

/** Current content digest of a path in the given algorithm (md5, sha256, ...). */
export type DigestLookup = Map<BytePath, string> | ((path: BytePath, algo: string) => string | undefined);

export const UNOWNED = 'unowned';

/** dpkg owners may be "name:arch"; packages are compared by name. */
function baseName(pkg: string): string {
  return pkg.split(':')[0];
}

function lookup(current: DigestLookup, path: BytePath, algo: string): string | undefined {
  return typeof current === 'function' ? current(path, algo) : current.get(path);
}

export function triage(findings: Finding[], before: PackageData, after: PackageData, current: DigestLookup): Finding[] {
  const changes = diffPackages(before.packages, after.packages);
  const updated = new Set([...changes.installed, ...changes.upgraded].map((p) => p.name));
  const removed = new Set(changes.removed.map((p) => p.name));

  for (const f of findings) {
    f.package ??= (after.files[f.path] ?? before.files[f.path])?.pkg ?? UNOWNED;
    f.triage = isExplained(f, after, updated, removed, current) ? 'explained' : 'unexplained';
  }
  const extra = [...recordedDigestEdits(before, after, updated, removed), ...dbFileEdits(before, after, changes)];
  for (const f of extra) f.triage = 'unexplained';
  return extra;
}

function isExplained(f: Finding, after: PackageData, updated: Set<string>, removed: Set<string>, current: DigestLookup): boolean {
  if (f.package === UNOWNED || f.package === undefined) return false;
  const name = baseName(f.package);
  if (f.status === 'missing') return (updated.has(name) || removed.has(name)) && !(f.path in after.files);
  const rec = after.files[f.path];
  if (!rec?.digest || !rec.algo || !updated.has(baseName(rec.pkg))) return false;
  const now = lookup(current, f.path, rec.algo);
  return now !== undefined && now.toLowerCase() === rec.digest.toLowerCase();
}

/** Recorded digests that changed or vanished while the owning package kept its version. */
function recordedDigestEdits(before: PackageData, after: PackageData, updated: Set<string>, removed: Set<string>): Finding[] {
  const out: Finding[] = [];
  const paths = Object.keys(before.files).sort(byBytes);
  for (const path of paths) {
    const was = before.files[path];
    if (!was.digest) continue;
    const now = after.files[path];
    const name = baseName(was.pkg);
    if (updated.has(name) || removed.has(name)) continue;
    if (now && updated.has(baseName(now.pkg))) continue;
    if (now?.digest === was.digest && now.algo === was.algo) continue;
    const what = !now ? 'no longer lists this file' : !now.digest ? 'no longer records a digest for this file' : 'records a different digest for this file';
    out.push({
      path,
      status: 'changed',
      source: after.manager,
      package: was.pkg,
      note: `the package database ${what} although ${was.pkg} did not change version: the database may have been edited to hide a change`,
      deltas: [{ attr: 'recorded-digest', old: was.digest, new: now?.digest ?? null }],
      extra: [],
      untested: {},
    });
  }
  return out;
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
