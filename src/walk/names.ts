/**
 * Owner and group names from the scanned root's own /etc/passwd and /etc/group,
 * never the scanning host's: a mounted disk's uid 1000 is not ours.
 *
 * The files come from the tree under examination, so they are read like any
 * hostile input: at most ID_FILE_LIMIT bytes (a 2 GB sparse passwd must not
 * take 2 GB of memory), without following a symlink at /etc or at the file,
 * without touching the atime. What could not be read is said in a warning;
 * ids whose names were not read show as unresolved, and owners still compare
 * by id.
 */
import type { FsPort } from './fsport.js';
import { errorCode } from './fsport.js';
import { fsPath } from '../paths.js';

export interface IdNames {
  users: Map<number, string>;
  groups: Map<number, string>;
}

/** About 250,000 passwd lines: far beyond any real host's. */
export const ID_FILE_LIMIT = 16 * 1024 * 1024;

/**
 * Longer names are not names (LOGIN_NAME_MAX is 256; useradd allows 32), and
 * each entry stores its owner's: a 16 MiB "name" on a million entries would
 * be a baseline of terabytes. They stay unresolved.
 */
export const ID_NAME_LIMIT = 256;

function parseIdFile(text: string, path: string, warn: (m: string) => void): Map<number, string> {
  const out = new Map<number, string>();
  let tooLong = 0;
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id)) continue;
    if (name.length > ID_NAME_LIMIT) {
      tooLong++;
      continue;
    }
    const n = Number(id);
    if (!out.has(n)) out.set(n, name);
  }
  if (tooLong) warn(`${path}: ${tooLong} names longer than ${ID_NAME_LIMIT} characters ignored; their ids show as unresolved`);
  return out;
}

const REASONS: Record<string, string> = {
  ELOOP: 'it (or /etc) is a symbolic link, not followed',
  ENOTDIR: '/etc is not a directory (a symbolic link is not followed)',
  EINVAL: 'not a regular file',
};

function readIdFile(port: FsPort, root: string, path: string, warn: (m: string) => void): Map<number, string> {
  const what = path === '/etc/passwd' ? 'owner' : 'group';
  let data: Buffer;
  try {
    // One byte past the limit tells a file of exactly the limit from a longer one.
    data = port.readSmallFile(fsPath(root, path), ID_FILE_LIMIT + 1);
  } catch (err) {
    const code = errorCode(err);
    // A tree without the file has no names to give: owners compare by id alone.
    if (code !== 'ENOENT') warn(`${what} names not read from ${path}: ${REASONS[code] ?? code}`);
    return new Map();
  }
  if (data.length > ID_FILE_LIMIT) {
    warn(`${path} is larger than ${ID_FILE_LIMIT >> 20} MiB: ${what} names past that are not read and show as unresolved`);
    // The last line the limit cuts through is dropped: a cut name is a wrong name.
    data = data.subarray(0, data.lastIndexOf(0x0a, ID_FILE_LIMIT - 1) + 1);
  }
  return parseIdFile(data.toString('utf8'), path, warn);
}

export function readIdNames(port: FsPort, root: string, warn: (m: string) => void = () => undefined): IdNames {
  return {
    users: readIdFile(port, root, '/etc/passwd', warn),
    groups: readIdFile(port, root, '/etc/group', warn),
  };
}
