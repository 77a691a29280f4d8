/**
 * What the walker knows of an entry from lstat(2): plain numbers, with
 * nanosecond times split as [seconds, nanoseconds].
 */
import type { FileKind } from '../types.js';

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
}

/** Field order of the native lstatInto's Float64Array (native/fsnative.c). */
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
  const mode = f[at]!;
  return {
    kind: kindOfMode(mode),
    mode,
    uid: f[at + 1]!,
    gid: f[at + 2]!,
    size: f[at + 3]!,
    ino: f[at + 4]!,
    nlink: f[at + 5]!,
    dev: f[at + 6]!,
    rdevMajor: f[at + 7]!,
    rdevMinor: f[at + 8]!,
    mtime: [f[at + 9]!, f[at + 10]!],
    ctime: [f[at + 11]!, f[at + 12]!],
    xattrBytes: f[at + 13]!,
  };
}
