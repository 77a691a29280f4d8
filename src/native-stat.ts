/**
 * The addon's records (native/fsnative.c): what lstat(2) says of an entry: plain numbers, with
 * nanosecond times split as [seconds, nanoseconds].
 */
import os from 'node:os';
import type { FileKind } from './types.js';

export interface StatRecord {
  kind: FileKind;
  /** st_mode with the type bits. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  ino: number;
  nlink: number;
  dev: number;
  rdevMajor: number;
  rdevMinor: number;
  mtime: [number, number];
  ctime: [number, number];
  /** Size of the xattr name list: 0 none, -1 it could not be read. */
  xattrBytes: number;
  /**
   * The xattrs themselves (or the errno code that stopped their reading), when
   * a directory listing read them through the listed directory's descriptor.
   */
  xattrs?: ReadonlyArray<readonly [string, Buffer]> | string;
}

/** Field order of the native lstatInto/fstatInto Float64Array (the F_ enum in native/fsnative.c). */
export const FIELD = {
  mode: 0, uid: 1, gid: 2, size: 3, ino: 4, nlink: 5, dev: 6, rdevMajor: 7, rdevMinor: 8,
  mtimeSec: 9, mtimeNsec: 10, ctimeSec: 11, ctimeNsec: 12, xattrBytes: 13,
} as const;
export const LSTAT_FIELDS = 14;

const S_IFMT = 0o170000;
const KINDS = new Map<number, FileKind>([
  [0o100000, 'file'],
  [0o040000, 'dir'],
  [0o120000, 'symlink'],
  [0o010000, 'fifo'],
  [0o140000, 'socket'],
  [0o020000, 'chardev'],
  [0o060000, 'blockdev'],
]);

export function kindOfMode(mode: number): FileKind {
  return KINDS.get(mode & S_IFMT) ?? 'file';
}

/** A StatRecord from LSTAT_FIELDS numbers starting at `at`. */
export function statFromFields(f: Float64Array, at = 0): StatRecord {
  const mode = f[at + FIELD.mode]!;
  return {
    kind: kindOfMode(mode),
    mode,
    uid: f[at + FIELD.uid]!,
    gid: f[at + FIELD.gid]!,
    size: f[at + FIELD.size]!,
    ino: f[at + FIELD.ino]!,
    nlink: f[at + FIELD.nlink]!,
    dev: f[at + FIELD.dev]!,
    rdevMajor: f[at + FIELD.rdevMajor]!,
    rdevMinor: f[at + FIELD.rdevMinor]!,
    mtime: [f[at + FIELD.mtimeSec]!, f[at + FIELD.mtimeNsec]!],
    ctime: [f[at + FIELD.ctimeSec]!, f[at + FIELD.ctimeNsec]!],
    xattrBytes: f[at + FIELD.xattrBytes]!,
  };
}

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

/** The name of an errno the addon returns as a number ("ENOENT"), or "errno N". */
export function errnoName(n: number): string {
  return errnoNames.get(n) ?? `errno ${n}`;
}
