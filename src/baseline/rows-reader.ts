/**
 * A reader of the msgpack a baseline's package data is written in (arrays of
 * rows of text, bin and nil), straight from the bytes. A whole host's package
 * data is ~200,000 rows: decoded by msgpackr into arrays and Buffers first,
 * then into objects, it cost ~0.4 s before a scan's walk could start, most of
 * it collecting the intermediate arrays. Here each row becomes its object
 * directly. Any byte that is not what the layout says is a fault (fail()).
 */

/** Type bytes followed by a fixed number of bytes: float, uint, int, fixext (its type byte too). */
const FIXED: Record<number, number> = {
  0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
  0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17,
};
/** bin and str: a length of this many bytes, then that many bytes. */
const SIZED: Record<number, 1 | 2 | 4> = { 0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4 };
/** ext: a length, a type byte, then the data. */
const EXT: Record<number, 1 | 2 | 4> = { 0xc7: 1, 0xc8: 2, 0xc9: 4 };

export class RowsReader {
  private at = 0;

  constructor(private readonly buf: Buffer, private readonly fail: () => Error) {}

  get done(): boolean {
    return this.at === this.buf.length;
  }

  private byte(): number {
    if (this.at >= this.buf.length) throw this.fail();
    return this.buf[this.at++]!;
  }

  private uint(bytes: 1 | 2 | 4): number {
    if (this.at + bytes > this.buf.length) throw this.fail();
    const v = bytes === 1 ? this.buf[this.at]! : bytes === 2 ? this.buf.readUInt16BE(this.at) : this.buf.readUInt32BE(this.at);
    this.at += bytes;
    return v;
  }

  /** Moves past `length` bytes, returning where they start. */
  private span(length: number): number {
    const start = this.at;
    if (start + length > this.buf.length) throw this.fail();
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
    const b = this.byte();
    let length: number;
    if (b >= 0xa0 && b <= 0xbf) length = b & 0x1f;
    else if (b === 0xd9) length = this.uint(1);
    else if (b === 0xda) length = this.uint(2);
    else if (b === 0xdb) length = this.uint(4);
    else throw this.fail();
    const start = this.span(length);
    return this.buf.toString('utf8', start, start + length);
  }

  textOrNull(): string | null {
    return this.nil() ? null : this.text();
  }

  /** A bin value's bytes as text (latin1: a BytePath; hex: a digest); with `exactly`, only of that length. */
  binText(encoding: 'latin1' | 'hex', exactly?: number): string {
    const b = this.byte();
    let length: number;
    if (b === 0xc4) length = this.uint(1);
    else if (b === 0xc5) length = this.uint(2);
    else if (b === 0xc6) length = this.uint(4);
    else throw this.fail();
    if (exactly !== undefined && length !== exactly) throw this.fail();
    const start = this.span(length);
    return this.buf.toString(encoding, start, start + length);
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
