/**
 * A verified baseline's entries, decoded a chunk of the file at a time, in
 * order. A file that can change under the reader is hashed again as the
 * chunks go by; after the last entry the digest must be the one verified.
 */
import { createHash } from 'node:crypto';
import type { Entry } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { decodeError } from './codec.js';
import { EntryUnpacker } from './codec-entries.js';
import { CHUNK, SIGNATURE_BYTES } from './format.js';
import { packr } from './msgpack.js';
import type { ByteSource } from './source.js';

export interface Layout {
  src: ByteSource;
  /** Where the entries start and where the nil after them is. */
  entriesAt: number;
  end: number;
  count: number;
  sha512: Buffer;
  /** Bytes 0 .. entriesAt as the header was decoded from them. */
  head: Buffer;
}

export class EntryCursor {
  private values: unknown[] = [];
  private at = 0;
  private pos: number;
  private chunk = CHUNK;
  private seen = 0;
  private finished = false;
  private readonly unpacker = new EntryUnpacker();
  private readonly recheck?: ReturnType<typeof createHash>;

  constructor(private readonly layout: Layout) {
    this.pos = layout.entriesAt;
    if (!layout.src.stable) {
      this.recheck = createHash('sha512');
      // Not read again: the header decoded is what must prove to be the verified one.
      this.recheck.update(layout.head);
    }
  }

  /** The next entry, or undefined after the last (once the file is known to be the one verified). */
  next(): Entry | undefined {
    while (this.at >= this.values.length) {
      if (this.finished) return undefined;
      if (this.pos >= this.layout.end) return this.finish();
      this.fill();
    }
    const value = this.values[this.at];
    this.values[this.at++] = undefined;
    if (++this.seen > this.layout.count) throw new BaselineFormatError(`baseline has more entries than its count ${this.layout.count}`);
    return this.unpacker.next(value);
  }

  private fill(): void {
    const { src, end } = this.layout;
    const length = Math.min(this.chunk, end - this.pos);
    const buf = src.read(this.pos, length);
    const values: unknown[] = [];
    let used = 0;
    try {
      packr.unpackMultiple(buf, (v: unknown, _start?: number, e?: number) => {
        values.push(v);
        used = e ?? length;
      });
    } catch (err) {
      // A value cut by the chunk's end is read again with the next chunk.
      if (!(err as { incomplete?: boolean }).incomplete || this.pos + length >= end) throw decodeError(err);
    }
    if (used === 0) {
      this.chunk *= 2; // one value longer than the chunk
      return;
    }
    this.recheck?.update(used === length ? buf : buf.subarray(0, used));
    this.values = values;
    this.at = 0;
    this.pos += used;
  }

  private finish(): undefined {
    this.finished = true;
    const { src, end, count, sha512 } = this.layout;
    if (this.seen !== count) throw new BaselineFormatError(`baseline has ${this.seen} entries, its count says ${count}`);
    if (this.recheck) {
      const signedEnd = src.size - SIGNATURE_BYTES;
      for (let pos = end; pos < signedEnd; pos += CHUNK) this.recheck.update(src.read(pos, Math.min(CHUNK, signedEnd - pos)));
      if (!this.recheck.digest().equals(sha512)) throw new BaselineFormatError('baseline changed during the scan (its bytes are not the ones verified)');
    }
    return undefined;
  }
}
