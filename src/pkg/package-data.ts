/**
 * Package metadata for a baseline: the installed set, owners and recorded
 * digests, and the package database's own digests, read with the scanning
 * machine's rpm or dpkg against the root's database.
 */
import type { PackageData } from '../types.js';
import { detectManagers, readPackageData, type PackageManager } from './index.js';

/** Which package manager to use: auto (the one the root has), none, or one named. */
export type PackageChoice = 'auto' | 'none' | PackageManager;
export const PACKAGE_CHOICES: readonly PackageChoice[] = ['auto', 'none', 'rpm', 'dpkg'];

/**
 * `auto` uses the first database that is present and lists packages, and
 * warns about the others; an explicit manager must work or the run fails.
 */
export async function collectPackageData(
  root: string,
  choice: PackageChoice,
  warn: (message: string) => void,
  timeoutMs?: number,
): Promise<PackageData | undefined> {
  if (choice === 'none') return undefined;
  if (choice !== 'auto') return readPackageData(root, choice, { timeoutMs });
  for (const manager of detectManagers(root)) {
    try {
      const data = await readPackageData(root, manager, { timeoutMs });
      if (data.packages.length) return data;
    } catch (err) {
      warn(`${manager} database present but unreadable: ${(err as Error).message}`);
    }
  }
  return undefined;
}
