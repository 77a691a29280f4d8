/**
 * Where a root's rpm database is, and a private copy of it for rpm to use.
 * rpm opens its sqlite database for writing even to query it (it creates the
 * -shm and -wal files, and fails on a read-only directory), so it is never
 * given the root's own: the database files are copied (read with O_NOATIME)
 * into a temporary directory that is laid over the in-root location inside
 * the tool's private namespace (isolate.ts), and removed afterwards.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { rmSync } from 'node:fs';
import type { BytePath } from '../types.js';
import { realFs } from '../walk/fsport.js';
import { copyQuiet, listQuiet } from './quiet-fs.js';
import { locateInRoot } from './resolve-in-root.js';
import { inRoot } from '../paths.js';
import { makeScratch } from './scratch.js';

/**
 * Debian's and older distributions' location first; Fedora 36+, RHEL 10 and
 * openSUSE keep it in /usr/lib/sysimage/rpm, with /var/lib/rpm a symlink to it
 * (resolved inside the root, never through the host).
 */
export const RPM_DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
/** sqlite (rpm >= 4.16 default), Berkeley DB, ndb. */
export const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages', 'Packages.db'];

function hasDbFile(root: string, dir: BytePath): boolean {
  return RPM_DB_FILES.some((name) => {
    try {
      const st = realFs.lstat(inRoot(root, `${dir}/${name}`));
      return st.kind === 'file' && st.size > 0;
    } catch {
      return false;
    }
  });
}

/** The database directory, resolved inside the root (symlink-free), or undefined when there is none. Throws when a location leads out of the root's files (a loop, a pseudo filesystem). */
export function findRpmDb(root: string): BytePath | undefined {
  for (const dir of RPM_DB_DIRS) {
    const at = locateInRoot(root, dir, 'dir');
    if (at !== undefined && hasDbFile(root, at)) return at;
  }
  return undefined;
}

/**
 * The sqlite shared-memory index (-shm) is rebuilt from the -wal by sqlite;
 * lock files and BDB's __db.* environment are rpm's scratch. The -wal itself
 * may hold committed transactions, so it is copied.
 */
export function isDbScratch(name: string): boolean {
  return name.endsWith('-shm') || name.startsWith('__db.') || name.startsWith('.') || name.endsWith('.lock');
}

/**
 * The most the copy may take on the scanning host (an image's database is a
 * few hundred MiB at most): a sparse terabyte-sized -wal in a hostile image
 * would otherwise be written out in full into the host's temporary directory.
 */
export const MAX_RPM_DB_COPY = 2 * 1024 ** 3;

/** A private copy of the database directory's files; the caller removes it with dropCopy. */
export function copyRpmDb(root: string, dir: BytePath): string {
  let copy: string;
  try {
    copy = makeScratch(root, 'driftscan-rpmdb-');
  } catch (e) {
    throw new Error(`cannot copy the rpm database in ${dir}: ${(e as Error).message}`);
  }
  let copied = 0;
  try {
    for (const name of listQuiet(inRoot(root, dir))) {
      if (isDbScratch(name)) continue;
      const from = inRoot(root, `${dir}/${name}`);
      if (realFs.lstat(from).kind !== 'file') continue;
      const left = MAX_RPM_DB_COPY - copied;
      try {
        copied += copyQuiet(from, Buffer.concat([Buffer.from(`${copy}/`), Buffer.from(name, 'latin1')]), left);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EFBIG') throw e;
        throw new Error(`${name} takes the database over ${MAX_RPM_DB_COPY / 1024 ** 3} GiB (a sparse file?): not copied`);
      }
    }
  } catch (e) {
    dropCopy(copy);
    throw new Error(`cannot copy the rpm database in ${dir}: ${(e as Error).message}`);
  }
  return copy;
}

export function dropCopy(copy: string): void {
  rmSync(copy, { recursive: true, force: true });
}

/** The copies made inside withSharedRpmCopy, by root and database directory. */
const shared = new AsyncLocalStorage<Map<string, string>>();

/**
 * Runs `work` with one private copy per database, shared by every rpm run
 * inside it and removed when it ends. A scan queries rpm three times (package
 * data, triage's records, -Va): on a Fedora host each copy is 100-300 MB, and
 * with one copy the three answers come from one state of the database.
 */
export async function withSharedRpmCopy<T>(work: () => Promise<T>): Promise<T> {
  const copies = new Map<string, string>();
  try {
    return await shared.run(copies, work);
  } finally {
    for (const copy of copies.values()) dropCopy(copy);
  }
}

/** A copy of the database for one rpm run: the shared one inside withSharedRpmCopy, else a fresh one. */
export function leaseRpmDb(root: string, dir: BytePath): { copy: string; release(): void } {
  const copies = shared.getStore();
  if (!copies) {
    const copy = copyRpmDb(root, dir);
    return { copy, release: () => dropCopy(copy) };
  }
  const key = `${root}\0${dir}`;
  let copy = copies.get(key);
  if (copy === undefined) {
    copy = copyRpmDb(root, dir);
    copies.set(key, copy);
  }
  return { copy, release: () => undefined };
}
