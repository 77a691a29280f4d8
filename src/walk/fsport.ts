/**
 * The filesystem as the walker sees it. Tests swap in a port that fails with
 * EACCES or EIO where root would otherwise read everything.
 */
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { LSTAT_FIELDS, statFromFields, type StatRecord } from './stat.js';

export interface FsPort {
  /** Throws an error with an errno `code`, as fs does. */
  lstat(path: Buffer): StatRecord;
  readdir(path: Buffer): Buffer[];
  readlink(path: Buffer): Buffer;
  /** Extended attributes, or an errno code string when they cannot be listed. */
  lxattrs(path: Buffer): Array<[string, Buffer]> | string;
  /** Reads a small file without following a symlink at its last component. */
  readSmallFile(path: Buffer): Buffer;
}

interface NativeFs {
  lxattrs(path: Buffer): Array<[string, Buffer]> | number;
  lstatInto(path: Buffer, out: Float64Array): number;
}

const require = createRequire(import.meta.url);
let addon: NativeFs | undefined;

function loadAddon(): NativeFs {
  // dist/walk and src/walk are both two levels below the package root.
  addon ??= require('../../build/Release/driftscan_fs.node') as NativeFs;
  return addon;
}

const fields = new Float64Array(LSTAT_FIELDS);
const O_NOATIME = fs.constants.O_NOATIME ?? 0;

function errnoError(n: number, syscall: string): NodeJS.ErrnoException {
  const code = errnoName(n);
  return Object.assign(new Error(`${syscall}: ${code}`), { code, errno: -n, syscall });
}

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

export function errnoName(n: number): string {
  return errnoNames.get(n) ?? `errno ${n}`;
}

export const realFs: FsPort = {
  lstat(path) {
    const err = loadAddon().lstatInto(path, fields);
    if (err !== 0) throw errnoError(err, 'lstat');
    return statFromFields(fields);
  },
  readdir: (path) => fs.readdirSync(path, { encoding: 'buffer' }),
  readlink: (path) => fs.readlinkSync(path, { encoding: 'buffer' }),
  lxattrs(path) {
    const got = loadAddon().lxattrs(path);
    return typeof got === 'number' ? errnoName(got) : got;
  },
  readSmallFile(path) {
    const flags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
    let fd: number;
    try {
      // Reading the root's /etc/passwd must not touch its atime, as the hash worker does not.
      fd = fs.openSync(path, flags | O_NOATIME);
    } catch (err) {
      if (errorCode(err) !== 'EPERM' || !O_NOATIME) throw err;
      fd = fs.openSync(path, flags); // O_NOATIME needs ownership unless root
    }
    try {
      if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      return fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** The errno code of a thrown fs error, or 'EIO' when it has none. */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' ? code : 'EIO';
}
