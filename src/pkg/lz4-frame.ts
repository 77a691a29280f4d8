/**
 * An LZ4 frame decoder (apt's `Acquire::GzipIndexes` keeps its lists as
 * `_Packages.lz4`), written from the public LZ4 frame and block format
 * specifications. Every checksum the frame carries is verified, and the
 * output is refused past `max` bytes before it is produced: a hostile
 * root's small file that expands to gigabytes is a bomb, not an index.
 */
import { xxh32 } from './xxhash32.js';

const FRAME_MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const MIN_MATCH = 4;
const BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

export class Lz4Error extends Error {}

const fail = (what: string): never => {
  throw new Lz4Error(`lz4: ${what}`);
};

/** A growing output buffer that refuses to pass `max` bytes. */
class Output {
  buf = Buffer.alloc(64 << 10);
  pos = 0;
  constructor(readonly max: number) {}
  reserve(n: number): void {
    const need = this.pos + n;
    if (need > this.max) fail(`decompressed size exceeds ${this.max} bytes`);
    if (need <= this.buf.length) return;
    const next = Buffer.alloc(Math.min(this.max, Math.max(need, this.buf.length * 2)));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

function u32(b: Buffer, at: number): number {
  if (at + 4 > b.length) fail('truncated');
  return b.readUInt32LE(at);
}

/** Reads the extra length bytes after a 15 nibble (255 means another byte follows). */
function extraLength(src: Buffer, at: number, end: number): [number, number] {
  let n = 0;
  for (;;) {
    if (at >= end) fail('truncated block');
    const b = src[at++]!;
    n += b;
    if (b !== 255) return [n, at];
  }
}

/** Decodes one compressed block src[at, end) into out; `floor` is the earliest byte a match may reach. */
function decodeBlock(src: Buffer, at: number, end: number, out: Output, floor: number): void {
  while (at < end) {
    const token = src[at++]!;
    let literals = token >>> 4;
    if (literals === 15) [literals, at] = ((r) => [15 + r[0], r[1]])(extraLength(src, at, end));
    if (at + literals > end) fail('literals run past the block');
    out.reserve(literals);
    src.copy(out.buf, out.pos, at, at + literals);
    out.pos += literals;
    at += literals;
    if (at === end) return; // the last sequence has literals only
    if (at + 2 > end) fail('truncated match offset');
    const offset = src[at]! | (src[at + 1]! << 8);
    at += 2;
    if (offset === 0 || out.pos - offset < floor) fail('match offset out of range');
    let length = token & 15;
    if (length === 15) [length, at] = ((r) => [15 + r[0], r[1]])(extraLength(src, at, end));
    length += MIN_MATCH;
    out.reserve(length);
    const from = out.pos - offset;
    if (offset >= length) out.buf.copy(out.buf, out.pos, from, from + length);
    else for (let i = 0; i < length; i++) out.buf[out.pos + i] = out.buf[from + i]!; // overlapping: repeats the last `offset` bytes
    out.pos += length;
  }
}

/** Decodes one frame starting at `at` (after its magic); returns where it ends. */
function decodeFrame(src: Buffer, at: number, out: Output): number {
  const descStart = at;
  if (at + 2 > src.length) fail('truncated frame descriptor');
  const flg = src[at]!;
  const bd = src[at + 1]!;
  at += 2;
  if (flg >> 6 !== 1) fail(`unsupported frame version ${flg >> 6}`);
  if (flg & 0x02 || bd & 0x8f) fail('reserved descriptor bits set');
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const hasDict = (flg & 0x01) !== 0;
  const blockMax = BLOCK_MAX[(bd >> 4) & 7]!;
  if (!blockMax) fail('invalid block maximum size');
  let contentSize: number | undefined;
  if (hasSize) {
    if (at + 8 > src.length) fail('truncated frame descriptor');
    const size = src.readBigUInt64LE(at);
    if (size > BigInt(out.max - out.pos)) fail(`decompressed size exceeds ${out.max} bytes`);
    contentSize = Number(size);
    at += 8;
  }
  if (hasDict) fail('frames that need a dictionary are not read');
  if (at >= src.length) fail('truncated frame descriptor');
  if (((xxh32(src.subarray(descStart, at)) >>> 8) & 0xff) !== src[at]) fail('frame header checksum mismatch');
  at += 1;
  const frameStart = out.pos;
  for (;;) {
    const word = u32(src, at);
    at += 4;
    if (word === 0) break; // EndMark
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) fail('block larger than the frame allows');
    if (at + size + (blockChecksum ? 4 : 0) > src.length) fail('truncated block');
    const block = src.subarray(at, at + size);
    if (blockChecksum && xxh32(block) !== u32(src, at + size)) fail('block checksum mismatch');
    if (stored) {
      out.reserve(size);
      block.copy(out.buf, out.pos);
      out.pos += size;
    } else {
      decodeBlock(src, at, at + size, out, independent ? out.pos : frameStart);
    }
    at += size + (blockChecksum ? 4 : 0);
  }
  if (contentSize !== undefined && out.pos - frameStart !== contentSize) fail('content size mismatch');
  if (contentChecksum) {
    if (xxh32(out.buf.subarray(frameStart, out.pos)) !== u32(src, at)) fail('content checksum mismatch');
    at += 4;
  }
  return at;
}

/** The concatenated content of every frame in `src` (skippable frames skipped); at most `max` bytes. */
export function decodeLz4Frames(src: Buffer, max: number): Buffer {
  const out = new Output(max);
  let at = 0;
  if (src.length === 0) fail('empty input');
  while (at < src.length) {
    const magic = u32(src, at);
    at += 4;
    if (magic === FRAME_MAGIC) at = decodeFrame(src, at, out);
    else if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) at += 4 + u32(src, at);
    else if (magic === LEGACY_MAGIC) fail('the legacy lz4 format is not read');
    else fail('not an lz4 frame');
    if (at > src.length) fail('truncated skippable frame');
  }
  return out.buf.subarray(0, out.pos);
}
