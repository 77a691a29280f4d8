/**
 * What the root's configured apt repositories offer: the package indexes
 * apt downloaded, /var/lib/apt/lists/*_Packages (uncompressed, as apt keeps
 * them). Package name -> the versions offered. An index is only as honest
 * as the root it sits in: this tells a .deb of somebody's own from one apt
 * fetched, not a root attacker from an administrator.
 */
import type { BytePath } from '../types.js';
import { listQuiet } from './quiet-fs.js';
import { readCapped } from './capped-read.js';
import { locateInRoot } from './resolve-in-root.js';
import { inRoot } from '../paths.js';

export const APT_LISTS_DIR = '/var/lib/apt/lists';

export type OfferedVersions = Map<string, Set<string>>;

/** Adds each stanza's Package and Version to `into`. */
export function parsePackagesIndex(text: string, into: OfferedVersions = new Map()): OfferedVersions {
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package:[ \t]*(\S+)/m.exec(stanza)?.[1];
    const version = /^Version:[ \t]*(\S+)/m.exec(stanza)?.[1];
    if (!name || !version) continue;
    const set = into.get(name) ?? new Set<string>();
    set.add(version);
    into.set(name, set);
  }
  return into;
}

/** Every version the root's apt indexes offer; an empty map when there are none. */
export function readAptLists(root: string): OfferedVersions {
  const offered: OfferedVersions = new Map();
  let dir: BytePath | undefined;
  try {
    dir = locateInRoot(root, APT_LISTS_DIR, 'dir');
  } catch {
    return offered;
  }
  if (dir === undefined) return offered;
  let names: string[];
  try {
    names = listQuiet(inRoot(root, dir));
  } catch {
    return offered;
  }
  for (const name of names.filter((n) => n.endsWith('_Packages')).sort()) {
    try {
      parsePackagesIndex(readCapped(inRoot(root, `${dir}/${name}`)).toString('latin1'), offered);
    } catch {
      // an unreadable index offers nothing
    }
  }
  return offered;
}
