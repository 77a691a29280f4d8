/**
 * msgpack for the one shape a baseline holds a hundred thousand times: an
 * entry. msgpackr packs the header and decodes everything; entries are written
 * here, straight from the Entry objects into one buffer, because building
 * msgpackr's input (an array per entry and per attribute list, a Buffer per
 * digest and path) cost as much as the packing, and both ran after the last
 * file was hashed, with every other core idle: 0.5 s of a 5 s baseline of /usr.
 *
 * The bytes are the ones msgpackr writes for the same values with driftscan's
 * options (test/baseline/codec.test.ts compares them): the smallest integer
 * form for 32-bit integers, float64 otherwise, and the shortest str/bin/array/map
 * headers for the length.
 */
import type { AttrValue } from '../types.js';

const FLUSH_AT = 1 << 20;
const MAX_KEPT_TEXTS = 4096;

export class EntryWriter {
  private buf: Buffer;
  private at = 0;
  private readonly texts = new Map<string, Buffer>();

  /**
   * `sink` must copy what it is given: the buffer is reused. `initialBytes`:
   * a writer for one entry (a report's entry states, one per finding) starts
   * small; 2 MiB each, a thousand findings made V8 collect over and over for
   * the external memory.
   */
  constructor(private readonly sink: (bytes: Uint8Array) => void, initialBytes = FLUSH_AT * 2) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Hands over what is written once there is enough of it; `done` hands over the rest. */
  flushIfFull(): void {
    if (this.at >= FLUSH_AT) this.done();
  }

  /** Bytes written and not yet handed over. */
  get buffered(): number {
    return this.at;
  }

  /** Bytes already encoded (msgpackr's header, trailer), copied in as they are. */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  done(): void {
    if (this.at > 0) this.sink(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  /** A header: one byte with the length in it when it fits, else the 8/16/32-bit form. */
  private header(length: number, fix: number, fixLimit: number, codes: readonly [number, number, number] | readonly [number, number]): void {
    this.room(5);
    const b = this.buf;
    if (length < fixLimit) {
      b[this.at++] = fix | length;
    } else if (codes.length === 3 && length < 0x100) {
      b[this.at++] = codes[0];
      b[this.at++] = length;
    } else if (length < 0x10000) {
      b[this.at++] = codes[codes.length - 2]!;
      b.writeUInt16BE(length, this.at);
      this.at += 2;
    } else {
      b[this.at++] = codes[codes.length - 1]!;
      b.writeUInt32BE(length, this.at);
      this.at += 4;
    }
  }

  array(length: number): void {
    this.header(length, 0x90, 0x10, [0xdc, 0xdd]);
  }

  map(length: number): void {
    this.header(length, 0x80, 0x10, [0xde, 0xdf]);
  }

  nil(): void {
    this.room(1);
    this.buf[this.at++] = 0xc0;
  }

  number(v: number): void {
    this.room(9);
    const b = this.buf;
    if (v >>> 0 === v) {
      if (v < 0x80) b[this.at++] = v;
      else if (v < 0x100) {
        b[this.at++] = 0xcc;
        b[this.at++] = v;
      } else if (v < 0x10000) {
        b[this.at++] = 0xcd;
        b.writeUInt16BE(v, this.at);
        this.at += 2;
      } else {
        b[this.at++] = 0xce;
        b.writeUInt32BE(v, this.at);
        this.at += 4;
      }
    } else if (v >> 0 === v) {
      if (v >= -0x20) b[this.at++] = 0x100 + v;
      else if (v >= -0x80) {
        b[this.at++] = 0xd0;
        b[this.at++] = v + 0x100;
      } else if (v >= -0x8000) {
        b[this.at++] = 0xd1;
        b.writeInt16BE(v, this.at);
        this.at += 2;
      } else {
        b[this.at++] = 0xd2;
        b.writeInt32BE(v, this.at);
        this.at += 4;
      }
    } else {
      b[this.at++] = 0xcb;
      b.writeDoubleBE(v, this.at);
      this.at += 8;
    }
  }

  /** Text, as UTF-8 (msgpack str). */
  text(v: string): void {
    // Owner, group and xattr names repeat on every entry: their bytes are kept.
    let encoded = this.texts.get(v);
    if (!encoded) {
      encoded = Buffer.from(v, 'utf8');
      if (this.texts.size < MAX_KEPT_TEXTS && v.length <= 32) this.texts.set(v, encoded);
    }
    this.header(encoded.length, 0xa0, 0x20, [0xd9, 0xda, 0xdb]);
    this.room(encoded.length);
    this.buf.set(encoded, this.at);
    this.at += encoded.length;
  }

  /** Bytes given as a latin1 string (one char per byte) or as hex (msgpack bin). */
  bytes(v: string, encoding: 'latin1' | 'hex'): void {
    const length = encoding === 'hex' ? v.length >>> 1 : v.length;
    this.header(length, 0, 0, [0xc4, 0xc5, 0xc6]);
    this.room(length);
    const written = this.buf.write(v, this.at, length, encoding);
    // A short write would leave the header promising bytes that are not there.
    if (written !== length) throw new Error(`not ${encoding} bytes: a value of ${v.length} chars gave ${written} bytes`);
    this.at += written;
  }

  textRecord(v: Readonly<Record<string, string>>): void {
    const keys = Object.keys(v);
    this.map(keys.length);
    for (const k of keys) {
      this.text(k);
      this.text(v[k]!);
    }
  }

  /** An attribute value; `stored` says a string holds bytes (as hex or latin1) rather than text. */
  value(v: AttrValue, stored?: 'hex' | 'bytes'): void {
    if (typeof v === 'string') {
      if (stored) this.bytes(v, stored === 'hex' ? 'hex' : 'latin1');
      else this.text(v);
    } else if (typeof v === 'number') this.number(v);
    else if (typeof v === 'boolean') {
      this.room(1);
      this.buf[this.at++] = v ? 0xc3 : 0xc2;
    } else if (v === null) this.nil();
    else if (Array.isArray(v)) {
      this.array(v.length);
      for (const n of v as readonly number[]) this.number(n);
    } else this.textRecord(v as Readonly<Record<string, string>>);
  }
}
