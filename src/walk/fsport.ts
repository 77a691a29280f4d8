/**
 * The filesystem as the walker sees it. Tests swap in a port that fails with
 * EACCES or EIO where root would otherwise read everything.
 */
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import type { BigIntStats } from 'node:fs';

export interface FsPort {
  lstat(path: Buffer): BigIntStats;
  readdir(path: Buffer): Buffer[];
  readlink(path: Buffer): Buffer;
  /** Extended attributes, or an errno code string when they cannot be listed. */
  lxattrs(path: Buffer): Array<[string, Buffer]> | string;
  /** Reads a small file without following a symlink at its last component. */
  readSmallFile(path: Buffer): Buffer;
}

interface XattrAddon {
  lxattrs(path: Buffer): Array<[string, Buffer]> | number;
}

const require = createRequire(import.meta.url);
let addon: XattrAddon | undefined;

function loadAddon(): XattrAddon {
  // dist/walk and src/walk are both two levels below the package root.
  addon ??= require('../../build/Release/driftscan_xattr.node') as XattrAddon;
  return addon;
}

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

export function errnoName(n: number): string {
  return errnoNames.get(n) ?? `errno ${n}`;
}

export const realFs: FsPort = {
  lstat: (path) => fs.lstatSync(path, { bigint: true }),
  readdir: (path) => fs.readdirSync(path, { encoding: 'buffer' }),
  readlink: (path) => fs.readlinkSync(path, { encoding: 'buffer' }),
  lxattrs(path) {
    const got = loadAddon().lxattrs(path);
    return typeof got === 'number' ? errnoName(got) : got;
  },
  readSmallFile(path) {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
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
