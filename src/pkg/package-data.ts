/**
 * Package metadata for a baseline: the installed set, owners and recorded
 * digests, and the package database's own digests, read with the scanning
 * machine's rpm or dpkg against the root's database.
 */
import type { PackageData } from '../types.js';
import { detectManagers, readPackageData, type PackageManager } from './index.js';
import { packageScope, type WalkScope } from './package-scope.js';

/** Which package manager to use: auto (the one the root has), none, or one named. */
export type PackageChoice = 'auto' | 'none' | PackageManager;
export const PACKAGE_CHOICES: readonly PackageChoice[] = ['auto', 'none', 'rpm', 'dpkg'];

/**
 * `auto` uses the first database that is present and lists packages, and
 * warns about the others; an explicit manager must work or the run fails.
 * Given the walk's policy, only the packaged paths it covers are recorded
 * (the installed set and the database's own digests stay whole).
 */
export async function collectPackageData(
  root: string,
  choice: PackageChoice,
  warn: (message: string) => void,
  timeoutMs?: number,
  walk?: WalkScope,
): Promise<PackageData | undefined> {
  if (choice === 'none') return undefined;
  const opts = { timeoutMs, scope: packageScope(root, walk) };
  if (choice !== 'auto') return readPackageData(root, choice, opts);
  for (const manager of detectManagers(root)) {
    try {
      const data = await readPackageData(root, manager, opts);
      if (data.packages.length) return data;
    } catch (err) {
      warn(`${manager} database present but unreadable: ${(err as Error).message}`);
    }
  }
  return undefined;
}
