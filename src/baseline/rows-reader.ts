/**
 * A reader of the msgpack a baseline's package data and entries are written
 * in, straight from the bytes. A whole host's package data is ~200,000 rows
 * and its entries ~140,000: decoded by msgpackr into arrays and Buffers first,
 * then into objects, the package data cost ~0.4 s before a scan's walk could
 * start, most of it collecting the intermediate arrays. Here each row becomes
 * its object directly. Any byte that is not what the layout says is a fault
 * (fail()); running past the end of the bytes is short() (the entries' cursor
 * then reads on).
 *
 * Only the forms a baseline's values can take are read: a 64-bit integer
 * (which msgpackr decodes as a BigInt, no attribute value) and ext types are
 * faults, and a map's keys must be text.
 */
import { constants } from 'node:buffer';
import type { AttrValue } from '../types.js';

/**
 * The most bytes a str or bin may declare: no string holds more characters
 * (~512 MiB; a hex digest's text is two per byte; text this long in UTF-8 is
 * nothing driftscan writes, its longest is 64 KiB). Only a hostile file (read
 * with --no-verify) declares more, and that is a fault like any other, not
 * Node's ERR_STRING_TOO_LONG let out as an internal error. Refused before the
 * bytes are read, so the entries' cursor does not grow its chunk for them.
 */
const LONGEST = constants.MAX_STRING_LENGTH;

/** Type bytes followed by a fixed number of bytes: float, uint, int, fixext (its type byte too). */
const FIXED: Record<number, number> = {
  0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
  0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17,
};
/** bin and str: a length of this many bytes, then that many bytes. */
const SIZED: Record<number, 1 | 2 | 4> = { 0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4 };
/** ext: a length, a type byte, then the data. */
const EXT: Record<number, 1 | 2 | 4> = { 0xc7: 1, 0xc8: 2, 0xc9: 4 };

/** textSeen's memory: a slot per hash of a str's bytes, holding the last one seen there. */
export type SeenTexts = Array<{ bytes: Buffer; length: number; text: string } | undefined>;

export function seenTexts(slots = 4096): SeenTexts {
  return new Array(slots).fill(undefined);
}

export class RowsReader {
  /** Where the next value starts. */
  at = 0;

  constructor(private readonly buf: Buffer, private readonly fail: () => Error, private readonly short: () => Error = fail) {}

  get done(): boolean {
    return this.at === this.buf.length;
  }

  private byte(): number {
    if (this.at >= this.buf.length) throw this.short();
    return this.buf[this.at++]!;
  }

  private uint(bytes: 1 | 2 | 4): number {
    if (this.at + bytes > this.buf.length) throw this.short();
    const v = bytes === 1 ? this.buf[this.at]! : bytes === 2 ? this.buf.readUInt16BE(this.at) : this.buf.readUInt32BE(this.at);
    this.at += bytes;
    return v;
  }

  /** Moves past `length` bytes, returning where they start. */
  private span(length: number): number {
    const start = this.at;
    if (start + length > this.buf.length) throw this.short();
    this.at += length;
    return start;
  }

  /** True (and consumed) when the next value is nil. */
  nil(): boolean {
    if (this.buf[this.at] !== 0xc0) return false;
    this.at++;
    return true;
  }

  /** An array's length. */
  array(): number {
    const b = this.byte();
    if (b >= 0x90 && b <= 0x9f) return b & 0x0f;
    if (b === 0xdc) return this.uint(2);
    if (b === 0xdd) return this.uint(4);
    throw this.fail();
  }

  /** A str value, as UTF-8 (how msgpackr decodes it). */
  text(): string {
    const start = this.passText();
    return this.buf.toString('utf8', start, this.at);
  }

  /** Moves past a str value, checked as text() checks it; where its bytes start. */
  passText(): number {
    const b = this.byte();
    let length: number;
    if (b >= 0xa0 && b <= 0xbf) length = b & 0x1f;
    else if (b === 0xd9) length = this.uint(1);
    else if (b === 0xda) length = this.uint(2);
    else if (b === 0xdb) length = this.uint(4);
    else throw this.fail();
    if (length > LONGEST) throw this.fail();
    return this.span(length);
  }

  /**
   * A str value that repeats across rows (a package name, an algorithm):
   * the string decoded the last time these bytes were seen, from `seen`, so
   * a whole host's 100,000 rows hold one string per package, not one per row.
   */
  textSeen(seen: SeenTexts): string {
    const b = this.peek();
    if (b < 0xa0 || b > 0xbf) return this.text();
    const length = b & 0x1f;
    const start = this.at + 1;
    if (start + length > this.buf.length) throw this.short();
    const buf = this.buf;
    let hash = length;
    for (let i = start; i < start + length; i++) hash = (Math.imul(hash, 31) + buf[i]!) | 0;
    const slot = (hash >>> 0) % seen.length;
    const known = seen[slot];
    if (known && known.length === length && buf.compare(known.bytes, 0, length, start, start + length) === 0) {
      this.at = start + length;
      return known.text;
    }
    const text = this.text();
    seen[slot] = { bytes: buf.subarray(start, start + length), length, text };
    return text;
  }

  textOrNull(): string | null {
    return this.nil() ? null : this.text();
  }

  /** Moves past a str or nil, checked as textOrNull() checks it. */
  passTextOrNull(): void {
    if (!this.nil()) this.passText();
  }

  /** A bin value's bytes as text (latin1: a BytePath; hex: a digest); with `exactly`, only of that length. */
  binText(encoding: 'latin1' | 'hex', exactly?: number): string {
    const start = this.passBin(encoding, exactly);
    return this.buf.toString(encoding, start, this.at);
  }

  /** A bin value of exactly `length` bytes (a digest), copied into `into` at `at`. */
  binInto(into: Buffer, at: number, length: number): void {
    const start = this.passBin('hex', length);
    this.buf.copy(into, at, start, this.at);
  }

  /** Moves past a bin value, checked as binText() checks it; where its bytes start. */
  passBin(encoding: 'latin1' | 'hex', exactly?: number): number {
    const b = this.byte();
    let length: number;
    if (b === 0xc4) length = this.uint(1);
    else if (b === 0xc5) length = this.uint(2);
    else if (b === 0xc6) length = this.uint(4);
    else throw this.fail();
    if ((exactly !== undefined && length !== exactly) || length > (encoding === 'hex' ? LONGEST >> 1 : LONGEST)) throw this.fail();
    return this.span(length);
  }

  /** The next type byte, not consumed. */
  private peek(): number {
    if (this.at >= this.buf.length) throw this.short();
    return this.buf[this.at]!;
  }

  /** An integer or float, or undefined (consumed) for any other type; a non-finite float is no number either. */
  number(): number | undefined {
    const b = this.peek();
    if (b <= 0x7f) return this.buf[this.at++]!;
    if (b >= 0xe0) return this.buf[this.at++]! - 0x100;
    if (b < 0xca || b > 0xd3 || b === 0xcf || b === 0xd3) return this.skip(), undefined;
    this.at++;
    const width = FIXED[b]!;
    const start = this.span(width);
    const buf = this.buf;
    const v = b === 0xca ? buf.readFloatBE(start) : b === 0xcb ? buf.readDoubleBE(start)
      : b === 0xcc ? buf[start]! : b === 0xcd ? buf.readUInt16BE(start) : b === 0xce ? buf.readUInt32BE(start)
        : b === 0xd0 ? buf.readInt8(start) : b === 0xd1 ? buf.readInt16BE(start) : buf.readInt32BE(start);
    return Number.isFinite(v) ? v : undefined;
  }

  /**
   * An attribute's value: nil, a boolean, a number, text, bin (as text in the
   * given encoding), a list of numbers, or a record of text. undefined (the
   * value consumed) when it is anything else.
   */
  attrValue(binAs: 'hex' | 'latin1'): AttrValue | undefined {
    const b = this.peek();
    if (b === 0xc0) return this.at++, null;
    if (b === 0xc2 || b === 0xc3) return this.at++, b === 0xc3;
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xca && b <= 0xd3)) return this.number();
    if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb)) return this.text();
    if (b >= 0xc4 && b <= 0xc6) return this.binText(binAs);
    if ((b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd) {
      const list: number[] = [];
      let ok = true;
      for (let n = this.array(); n > 0; n--) {
        const v = this.number();
        if (v === undefined) ok = false;
        else list.push(v);
      }
      return ok ? list : undefined;
    }
    if ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf) return this.textRecord();
    return this.skip(), undefined;
  }

  /** A map of text to text (a new object), or undefined (consumed) for anything else. */
  textRecord(): Record<string, string> | undefined {
    const b = this.byte();
    let n: number;
    if (b >= 0x80 && b <= 0x8f) n = b & 0x0f;
    else if (b === 0xde || b === 0xdf) n = this.uint(b === 0xde ? 2 : 4);
    else return (this.at--, this.skip(), undefined);
    const out: Record<string, string> = {};
    let ok = true;
    for (; n > 0; n--) {
      const k = this.isText() ? this.text() : (this.skip(), undefined);
      const v = this.isText() ? this.text() : (this.skip(), undefined);
      // A key of __proto__ would set the record's prototype, not a field.
      if (k === undefined || v === undefined || k === '__proto__') ok = false;
      else out[k] = v;
    }
    return ok ? out : undefined;
  }

  isBin(): boolean {
    const b = this.peek();
    return b >= 0xc4 && b <= 0xc6;
  }

  isArray(): boolean {
    const b = this.peek();
    return (b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd;
  }

  isText(): boolean {
    const b = this.peek();
    return (b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb);
  }

  /**
   * Any one value (what a newer writer may append), nested ones counted rather
   * than recursed into, so no depth of nesting can exhaust the stack.
   */
  skip(): void {
    for (let pending = 1; pending > 0; pending--) {
      const b = this.byte();
      if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
      if (b >= 0x80 && b <= 0x8f) pending += (b & 0x0f) * 2;
      else if (b >= 0x90 && b <= 0x9f) pending += b & 0x0f;
      else if (b >= 0xa0 && b <= 0xbf) this.span(b & 0x1f);
      else if (FIXED[b] !== undefined) this.span(FIXED[b]!);
      else if (SIZED[b] !== undefined) this.span(this.uint(SIZED[b]!));
      else if (EXT[b] !== undefined) this.span(this.uint(EXT[b]!) + 1);
      else if (b === 0xdc || b === 0xdd) pending += this.uint(b === 0xdc ? 2 : 4);
      else if (b === 0xde || b === 0xdf) pending += this.uint(b === 0xde ? 2 : 4) * 2;
      else throw this.fail(); // 0xc1: never used
    }
  }
}
