/**
 * Where a baseline's bytes are read from: a buffer (a pipe's bytes, a test's)
 * or an open file read with pread, a chunk at a time.
 */
import fs from 'node:fs';
import { BaselineFormatError, BaselineReadError } from '../errors.js';

export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `pos` (a fresh buffer or a view of one that does not change). */
  read(pos: number, length: number): Buffer;
  /** The bytes cannot change between two reads (they are in memory). */
  readonly stable: boolean;
}

export class BufferSource implements ByteSource {
  readonly stable = true;
  constructor(private readonly bytes: Buffer) {}
  get size(): number {
    return this.bytes.length;
  }
  read(pos: number, length: number): Buffer {
    return this.bytes.subarray(pos, pos + length);
  }
}

/** An open regular file, read with pread: the one file first verified, whatever is renamed over its name. */
export class FdSource implements ByteSource {
  readonly stable = false;
  constructor(private readonly fd: number, readonly size: number) {}
  read(pos: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      let n: number;
      try {
        n = fs.readSync(this.fd, buf, got, length - got, pos + got);
      } catch (err) {
        throw new BaselineReadError(`cannot read baseline: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (n === 0) throw new BaselineFormatError('baseline changed during the scan (it is shorter than when it was verified)');
      got += n;
    }
    return buf;
  }
}
