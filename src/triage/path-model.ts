/**
 * From a path on disk to the paths a package database may name it by.
 *
 * Merged /usr: where /bin, /sbin and /lib* are symlinks into /usr in the
 * scanned root, dpkg still says /lib/x86_64-linux-gnu/security/pam_unix.so
 * for the file the walk finds at /usr/lib/x86_64-linux-gnu/security/... .
 * Only the root's own top-level links (as the walk recorded them) are used,
 * never the scanning host's; the finding keeps the path as it is on disk.
 */
import type { BytePath } from '../types.js';

/** [the /usr directory, the top-level link to it]: ['/usr/bin', '/bin']. */
export type Alias = readonly [BytePath, BytePath];

const TOP_LINK = /^\/(bin|sbin|lib[^/]*)$/;

/**
 * The aliases from the root's top-level symlinks: `links` are [link path,
 * recorded target]; `isDir` says whether the walk found a directory there.
 */
export function mergedUsrAliases(links: ReadonlyArray<readonly [BytePath, string]>, isDir: (path: BytePath) => boolean): Alias[] {
  const out: Alias[] = [];
  for (const [link, target] of links) {
    if (!TOP_LINK.test(link)) continue;
    const to = '/' + target.split('/').filter((c) => c !== '' && c !== '.').join('/');
    if (/^\/usr\/[^/]+$/.test(to) && isDir(to)) out.push([to, link]);
  }
  return out;
}

/** The disk path first, then the same file under each top-level link that leads to its /usr directory. */
export function packagePaths(path: BytePath, aliases: readonly Alias[]): BytePath[] {
  const out = [path];
  for (const [usrDir, link] of aliases) {
    if (path === usrDir) out.push(link);
    else if (path.startsWith(usrDir + '/')) out.push(link + path.slice(usrDir.length));
  }
  return out;
}
