/**
 * Reads dpkg's database files directly (they are plain text, and dpkg-query
 * has no per-file digest output):
 *   info/PKG.list       every path the package installed, absolute
 *   info/PKG.md5sums    "<md5>  <path without leading slash>"
 *   status              Conffiles: " /etc/x <md5> [obsolete|remove-on-upgrade]"
 *   diversions          triples of lines: diverted path, new path, diverting package
 * PKG is "name" or "name:arch" (Multi-Arch: same); it is used as the owner name.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { BytePath, PackageData } from '../types.js';
import { byBytes } from './db-digests.js';
import { inRoot } from './root-path.js';

export const DPKG_ADMIN_DIR = '/var/lib/dpkg';
const INFO_DIR = `${DPKG_ADMIN_DIR}/info`;

async function readText(root: string, path: BytePath): Promise<string | undefined> {
  try {
    return (await readFile(inRoot(root, path))).toString('latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function lines(text: string | undefined): string[] {
  return text === undefined ? [] : text.split('\n').filter((l) => l !== '');
}

/** Diverted path -> where another package's copy now lives, and who diverted it. */
export async function readDiversions(root: string): Promise<Map<BytePath, { to: BytePath; by: string }>> {
  const l = lines(await readText(root, `${DPKG_ADMIN_DIR}/diversions`));
  const out = new Map<BytePath, { to: BytePath; by: string }>();
  for (let i = 0; i + 2 < l.length; i += 3) out.set(l[i], { to: l[i + 1], by: l[i + 2] });
  return out;
}

/** Conffile path -> md5 recorded when it was installed (none for "newconffile"). */
export async function readConffiles(root: string): Promise<Map<BytePath, string | undefined>> {
  const out = new Map<BytePath, string | undefined>();
  let inConffiles = false;
  for (const line of lines(await readText(root, `${DPKG_ADMIN_DIR}/status`))) {
    if (!line.startsWith(' ')) {
      inConffiles = line.startsWith('Conffiles:');
      continue;
    }
    if (!inConffiles) continue;
    // Parse from the right: the path may contain spaces, the hash and flags cannot.
    const words = line.slice(1).replace(/ (obsolete|remove-on-upgrade)$/, '').replace(/ (obsolete|remove-on-upgrade)$/, '');
    const cut = words.lastIndexOf(' ');
    if (cut <= 0) continue;
    const hash = words.slice(cut + 1);
    out.set(words.slice(0, cut), /^[0-9a-f]{32}$/i.test(hash) ? hash.toLowerCase() : undefined);
  }
  return out;
}

/** Owner and recorded md5 of every file listed in info/*.list. */
export async function readDpkgFiles(root: string): Promise<PackageData['files']> {
  const names = (await readdir(inRoot(root, INFO_DIR), { encoding: 'buffer' }))
    .map((n) => n.toString('latin1'))
    .sort(byBytes);
  const diversions = await readDiversions(root);
  const conffiles = await readConffiles(root);
  const files: PackageData['files'] = {};

  // A package's copy of a path another package diverted lives at the new name.
  const placed = (path: BytePath, pkg: string): BytePath => {
    const d = diversions.get(path);
    return d && d.by !== pkg && d.by !== pkg.split(':')[0] ? d.to : path;
  };

  for (const name of names.filter((n) => n.endsWith('.list'))) {
    const pkg = name.slice(0, -'.list'.length);
    for (const path of lines(await readText(root, `${INFO_DIR}/${name}`))) {
      if (path === '/.') continue;
      const at = placed(path, pkg);
      if (!files[at]) files[at] = { pkg };
    }
  }
  for (const name of names.filter((n) => n.endsWith('.md5sums'))) {
    const pkg = name.slice(0, -'.md5sums'.length);
    for (const line of lines(await readText(root, `${INFO_DIR}/${name}`))) {
      const m = /^([0-9a-fA-F]{32}) {2}(.*)$/s.exec(line);
      if (!m) continue;
      const at = placed(`/${m[2]}`, pkg);
      files[at] = { pkg, digest: m[1].toLowerCase(), algo: 'md5' };
    }
  }
  for (const [path, digest] of conffiles) {
    const owner = files[path];
    if (owner && digest) files[path] = { pkg: owner.pkg, digest, algo: 'md5' };
  }
  return files;
}
