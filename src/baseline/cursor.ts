/**
 * A verified baseline's entries, decoded a chunk of the file at a time, in
 * order. A file that can change under the reader is hashed again as the
 * chunks go by; after the last entry the digest must be the one verified.
 */
import { createHash } from 'node:crypto';
import type { Entry } from '../types.js';
import { BaselineFormatError } from '../errors.js';
import { EntryUnpacker } from './codec-entries.js';
import { CHUNK, SIGNATURE_BYTES } from './format.js';
import { RowsReader } from './rows-reader.js';
import type { ByteSource } from './source.js';

export interface Layout {
  src: ByteSource;
  /** Where the entries start and where the nil after them is. */
  entriesAt: number;
  end: number;
  count: number;
  /**
   * sha256 of the whole file as verified (what the report names it by): the
   * second pass, over the same bytes, must give it again. SHA-256, not the
   * signature's SHA-512: the same strength against a changed file, and twice
   * as fast on this thread.
   */
  sha256: Buffer;
  /** Bytes 0 .. entriesAt as the header was decoded from them. */
  head: Buffer;
}

/** Thrown by the reader when an entry runs past the bytes read so far: read on from its start. */
const SHORT = new Error('entry continues past the bytes read');
const short = () => SHORT;

export class EntryCursor {
  /** The bytes read at `pos` and the reader going through them. */
  private buf: Buffer = Buffer.alloc(0);
  private reader?: RowsReader;
  private pos: number;
  private chunk = CHUNK;
  private seen = 0;
  private finished = false;
  private readonly unpacker = new EntryUnpacker();
  private readonly recheck?: ReturnType<typeof createHash>;
  private readonly fault = () => new BaselineFormatError(`baseline entry ${this.seen} is malformed`);

  constructor(private readonly layout: Layout) {
    this.pos = layout.entriesAt;
    if (!layout.src.stable) {
      this.recheck = createHash('sha256');
      // Not read again: the header decoded is what must prove to be the verified one.
      this.recheck.update(layout.head);
    }
  }

  /** The next entry, or undefined after the last (once the file is known to be the one verified). */
  next(): Entry | undefined {
    const { end, count } = this.layout;
    for (;;) {
      if (this.finished) return undefined;
      const r = this.reader;
      if (r && !r.done) {
        if (this.seen >= count) throw new BaselineFormatError(`baseline has more entries than its count ${count}`);
        const at = r.at;
        try {
          const entry = this.unpacker.read(r);
          this.seen++;
          return entry;
        } catch (err) {
          if (err !== SHORT) throw err;
          r.at = at;
          if (this.pos + this.buf.length >= end) throw new BaselineFormatError('baseline body cannot be decoded: its last entry is cut short');
          if (at === 0) this.chunk *= 2; // one entry longer than the chunk
        }
      }
      this.advance();
      if (this.pos >= end) return this.finish();
      this.buf = this.layout.src.read(this.pos, Math.min(this.chunk, end - this.pos));
      this.reader = new RowsReader(this.buf, this.fault, short);
    }
  }

  /** Past what the reader took whole: those bytes count towards the check that the file is the one verified. */
  private advance(): void {
    const used = this.reader?.at ?? 0;
    if (used > 0) {
      this.recheck?.update(used === this.buf.length ? this.buf : this.buf.subarray(0, used));
      this.pos += used;
    }
    this.reader = undefined;
  }

  private finish(): undefined {
    this.finished = true;
    const { src, end, count, sha256 } = this.layout;
    if (this.seen !== count) throw new BaselineFormatError(`baseline has ${this.seen} entries, its count says ${count}`);
    if (this.recheck) {
      const signedEnd = src.size - SIGNATURE_BYTES;
      for (let pos = end; pos < signedEnd; pos += CHUNK) this.recheck.update(src.read(pos, Math.min(CHUNK, signedEnd - pos)));
      this.recheck.update(src.read(signedEnd, SIGNATURE_BYTES));
      if (!this.recheck.digest().equals(sha256)) throw new BaselineFormatError('baseline changed during the scan (its bytes are not the ones verified)');
    }
    return undefined;
  }
}
