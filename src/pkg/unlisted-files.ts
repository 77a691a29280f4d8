/**
 * Files the package database stopped listing. `dpkg --verify` and `rpm -V`
 * check only what the database lists now, and triage forgives a database
 * change when a package was removed or upgraded. So taking a package out of
 * the database by hand (its status stanza and info files; `rpm -e --justdb`)
 * left its files in place and unchecked: a trojan in one the policy does not
 * walk scanned clean. A real removal deletes the files, and a real upgrade
 * replaces them; so every file the baseline's database recorded a digest for,
 * that no package lists now, is checked inside the root against that digest.
 * A file that is gone is what removal does; one still there that differs is a
 * finding.
 */
import type { Finding, PackageData } from '../types.js';
import { checkPackagesInRoot } from './check-in-root.js';
import { diffPackages, type PackageChanges } from './diff.js';

/** `changes`: diffPackages of the two package lists, when the caller has it already. */
export async function checkUnlistedFiles(root: string, before: PackageData, after: PackageData, changes?: PackageChanges): Promise<Finding[]> {
  if (before.manager !== after.manager) return [];
  changes ??= diffPackages(before.packages, after.packages);
  const gone = new Set([...changes.removed, ...changes.upgraded].map((p) => p.name));
  // No package removed or upgraded (a scan on a timer): no file can have left the database that way.
  if (gone.size === 0) return [];
  const unlisted: PackageData = { ...before, files: {} };
  const owners = new Set<string>();
  for (const path in before.files) {
    const f = before.files[path]!;
    if (path in after.files || !f.digest || !gone.has(f.pkg.split(':')[0]!)) continue;
    unlisted.files[path] = f;
    owners.add(f.pkg);
  }
  if (owners.size === 0) return [];
  const tool = { source: after.manager, followLast: after.manager === 'dpkg', safe: () => false };
  const found = await checkPackagesInRoot(root, unlisted, owners, tool);
  return found
    .filter((f) => f.status !== 'missing')
    .map((f) => ({
      ...f,
      note: `${f.note ? `${f.note} ` : ''}the package database no longer lists this file, but it is still there and differs from what ${f.package} installed`,
    }));
}
