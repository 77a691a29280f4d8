import type { BigIntStats } from 'node:fs';
import type { FileKind } from '../types.js';

const S_IFMT = 0o170000n;
const KINDS = new Map<bigint, FileKind>([
  [0o100000n, 'file'],
  [0o040000n, 'dir'],
  [0o120000n, 'symlink'],
  [0o010000n, 'fifo'],
  [0o140000n, 'socket'],
  [0o020000n, 'chardev'],
  [0o060000n, 'blockdev'],
]);

export function kindOf(st: BigIntStats): FileKind {
  return KINDS.get(st.mode & S_IFMT) ?? 'file';
}
