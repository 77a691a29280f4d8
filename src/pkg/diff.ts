/**
 * What changed in the installed package set between two snapshots. Packages
 * are told apart by name and arch; rpm may hold several versions of one name
 * and arch at once (kernels), so versions are compared as sets.
 */
import type { PackageInfo } from '../types.js';
import { comparePaths } from '../paths.js';

export interface PackageChanges {
  installed: PackageInfo[];
  removed: PackageInfo[];
  /** Also downgrades: any version change of the same name and arch. */
  upgraded: { name: string; arch: string; from: string; to: string }[];
}

function groupVersions(list: PackageInfo[]): Map<string, { name: string; arch: string; versions: Set<string> }> {
  const out = new Map<string, { name: string; arch: string; versions: Set<string> }>();
  for (const p of list) {
    const key = `${p.name}\0${p.arch}`;
    const g = out.get(key) ?? { name: p.name, arch: p.arch, versions: new Set<string>() };
    g.versions.add(p.version);
    out.set(key, g);
  }
  return out;
}

export function diffPackages(before: PackageInfo[], after: PackageInfo[]): PackageChanges {
  const was = groupVersions(before);
  const now = groupVersions(after);
  const changes: PackageChanges = { installed: [], removed: [], upgraded: [] };
  for (const key of new Set([...was.keys(), ...now.keys()])) {
    const b = was.get(key);
    const a = now.get(key);
    const { name, arch } = (a ?? b)!;
    const gone = [...(b?.versions ?? [])].filter((v) => !a?.versions.has(v)).sort(comparePaths);
    const added = [...(a?.versions ?? [])].filter((v) => !b?.versions.has(v)).sort(comparePaths);
    // Pair a vanished version with a new one as an upgrade; the rest were
    // installed or removed alongside (a second kernel, say).
    const pairs = Math.min(gone.length, added.length);
    for (let i = 0; i < pairs; i++) changes.upgraded.push({ name, arch, from: gone[i], to: added[i] });
    for (const version of added.slice(pairs)) changes.installed.push({ name, version, arch });
    for (const version of gone.slice(pairs)) changes.removed.push({ name, version, arch });
  }
  const order = (x: { name: string; arch: string }, y: { name: string; arch: string }) =>
    comparePaths(x.name, y.name) || comparePaths(x.arch, y.arch);
  changes.installed.sort(order);
  changes.removed.sort(order);
  changes.upgraded.sort(order);
  return changes;
}
