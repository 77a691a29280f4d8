/**
 * Attack: a baseline read with --no-verify (or signed by a stolen key) whose
 * entry path or package name declares more bytes than a JavaScript string can
 * hold (buffer.constants.MAX_STRING_LENGTH, ~512 MiB). The byte reader of the
 * entries and package data (rows-reader.ts) must call that a corrupt baseline
 * (BaselineFormatError, exit 18, one line) as msgpackr's errors were, not let
 * Node's ERR_STRING_TOO_LONG out as an internal error (exit 23). The bytes
 * are a zero-filled allocation nothing writes to: no memory is committed for
 * them.
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { keys, treePolicy } from '../helpers/lib.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal, openSealedReader } from '../../src/baseline/sealed.js';
import { packr } from '../../src/baseline/msgpack.js';
import { PREFIX_BYTES, SIGNATURE_BYTES, TAIL_BYTES } from '../../src/baseline/format.js';
import { BaselineFormatError } from '../../src/errors.js';

const TOO_LONG = constants.MAX_STRING_LENGTH + 1;

/** A small real baseline cut into its parts: prefix and header, entries, the nil and trailer after them. */
async function parts(): Promise<{ head: Buffer; entries: Buffer; endAndTrailer: Buffer }> {
  const root = makeTree(tempDir(), { 'srv/a': 'a' });
  const file = seal(await buildBaseline({
    root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 1,
  }), keys.privateKey);
  const bodyEnd = file.length - SIGNATURE_BYTES - TAIL_BYTES;
  const end = Number(file.readBigUInt64BE(bodyEnd + 8));
  let headerEnd = 0;
  packr.unpackMultiple(file.subarray(PREFIX_BYTES, end), (_v: unknown, _s?: number, e?: number) => {
    headerEnd = PREFIX_BYTES + e!;
    return false;
  });
  let trailerEnd = 0;
  let values = 0;
  packr.unpackMultiple(file.subarray(end, bodyEnd), (_v: unknown, _s?: number, e?: number) => {
    trailerEnd = end + e!;
    return ++values < 2;
  });
  return { head: file.subarray(0, headerEnd), entries: file.subarray(headerEnd, end), endAndTrailer: file.subarray(end, trailerEnd) };
}

/** pieces laid out in one zero-filled buffer (the long value's bytes are its untouched zeros), framed; the signature is zeros. */
function framed(pieces: Array<Buffer | number>, entriesEndAt: number): Buffer {
  const length = pieces.reduce<number>((n, p) => n + (typeof p === 'number' ? p : p.length), 0);
  const file = Buffer.alloc(length + TAIL_BYTES + SIGNATURE_BYTES);
  let at = 0;
  for (const p of pieces) {
    if (typeof p === 'number') at += p;
    else at += p.copy(file, at);
  }
  file.writeBigUInt64BE(BigInt(length - PREFIX_BYTES), at);
  file.writeBigUInt64BE(BigInt(entriesEndAt), at + 8);
  return file;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function readAll(file: Buffer): BaselineFormatError {
  try {
    openSealedReader(file, undefined, true).forEachEntry(() => {});
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineFormatError);
    const e = err as BaselineFormatError;
    expect(e.exitCode).toBe(18);
    expect(e.message).not.toMatch(/\n/);
    return e;
  }
  throw new Error('accepted');
}

describe('a value longer than a string can hold', () => {
  it('as an entry path (bin 32): a malformed entry, exit 18', async () => {
    const { head, endAndTrailer } = await parts();
    // [shared 0, bin32 of TOO_LONG bytes, ...]: the entry stops being read at the path.
    const entryStart = Buffer.concat([Buffer.from([0x96, 0x00, 0xc6]), u32(TOO_LONG)]);
    const end = head.length + entryStart.length + TOO_LONG;
    const err = readAll(framed([head, entryStart, TOO_LONG, endAndTrailer, Buffer.from([0xc0])], end));
    expect(err.message).toMatch(/^baseline entry 0 is malformed$/);
  }, 60_000);

  it('as a package name (str 32): malformed package data, exit 18', async () => {
    const { head, entries, endAndTrailer } = await parts();
    // ['dpkg', [[name, ...]], ...]
    const start = Buffer.concat([Buffer.from([0x93, 0xa4, ...Buffer.from('dpkg'), 0x91, 0x93, 0xdb]), u32(TOO_LONG)]);
    const err = readAll(framed([head, entries, endAndTrailer, start, TOO_LONG, Buffer.from([0xa0, 0xa0, 0x90])], head.length + entries.length));
    expect(err.message).toBe('baseline package data is malformed');
  }, 60_000);
});
