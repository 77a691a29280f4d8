/**
 * The entry writer against msgpackr, byte for byte; decoding errors name what is wrong without
 * echoing damaged bytes that could break a line or a terminal.
 */
import { describe, expect, it } from 'vitest';
import { EntryUnpacker, packEntries } from '../../src/baseline/codec-entries.js';
import { RowsReader } from '../../src/baseline/rows-reader.js';
import { EntryWriter } from '../../src/baseline/entry-writer.js';
import type { Entry } from '../../src/types.js';
import { packTrailer } from '../../src/baseline/codec.js';
import { openSealedReader } from '../../src/baseline/sealed.js';
import { BaselineFormatError } from '../../src/errors.js';
import { packr } from '../../src/baseline/msgpack.js';

/** Every entry in the bytes, read as the cursor reads them. */
const readEntries = (bytes: Buffer): Entry[] => {
  const r = new RowsReader(bytes, () => new BaselineFormatError('fault'));
  const unpacker = new EntryUnpacker();
  const out: Entry[] = [];
  while (!r.done) out.push(unpacker.read(r));
  return out;
};

const caught = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};

describe('decode errors', () => {
  it('an attribute code that is text (a newline, an escape sequence) is not quoted', () => {
    const item = [0, Buffer.from('/x'), 0, ['evil\n\x1b[2Jname', 1], null, 0];
    const err = caught(() => readEntries(Buffer.from(packr.pack(item))));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err.message).toBe('baseline entry 0 has an unknown attribute');
  });

  /** A baseline file (unsigned) with these bytes for its entries and for its trailer. */
  const fileWith = (entries: Buffer, trailer: Buffer): Buffer => {
    const header = packr.pack({ format: 2, tool: 't', host: 'h\n\x1b]0;x', created: 'c', root: '/', policy: 'p', keyId: 'k' });
    const prefix = Buffer.alloc(16);
    Buffer.from('DRIFTSCN').copy(prefix);
    prefix.writeUInt16BE(2, 8);
    const body = Buffer.concat([header, entries, packr.pack(null), trailer, packr.pack(null)]);
    const tail = Buffer.alloc(16);
    tail.writeBigUInt64BE(BigInt(body.length), 0);
    tail.writeBigUInt64BE(BigInt(16 + header.length + entries.length), 8);
    return Buffer.concat([prefix, body, tail, Buffer.alloc(64)]);
  };
  const goodTrailer = (count: number) => Buffer.from(packTrailer({ count, bytes: 0, attrs: [], unlisted: [], growing: [] }));
  // A string value cut short, whose bytes would move the cursor and paint the terminal if quoted.
  const cutText = Buffer.concat([Buffer.from([0xd9, 0x40]), Buffer.from('\n\x1b[31m')]);
  const decodeAll = (file: Buffer) => caught(() => openSealedReader(file, undefined, true).forEachEntry(() => undefined));

  it('the decoder\'s own message is kept printable and on one line', () => {
    const err = decodeAll(fileWith(Buffer.alloc(0), Buffer.concat([goodTrailer(0).subarray(0, 3), cutText])));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err.message).toMatch(/^baseline (body cannot be decoded|body does not end)/);
    expect(err.message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('an entry that is no entry, or is cut short at the end of the entries, is named, never quoted', () => {
    const notEntry = decodeAll(fileWith(cutText, goodTrailer(1)));
    expect(notEntry).toBeInstanceOf(BaselineFormatError);
    expect(notEntry.message).toBe('baseline entry 0 is malformed');
    const parts: Buffer[] = [];
    packEntries([{ path: '/a', kind: 'file', attrs: { owner: '\n\x1b[31mroot' } }], (b) => parts.push(Buffer.from(b)));
    const entry = Buffer.concat(parts);
    const cut = decodeAll(fileWith(entry.subarray(0, entry.length - 3), goodTrailer(1)));
    expect(cut).toBeInstanceOf(BaselineFormatError);
    expect(cut.message).toBe('baseline body cannot be decoded: its last entry is cut short');
  });
});

describe('the entry writer', () => {
  const written = (f: (w: EntryWriter) => void): Buffer => {
    const parts: Buffer[] = [];
    const w = new EntryWriter((b) => parts.push(Buffer.from(b)));
    f(w);
    w.done();
    return Buffer.concat(parts);
  };

  it('writes the bytes msgpackr writes, at every length and size boundary', () => {
    const numbers = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1,
      -1, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -(2 ** 31), -(2 ** 31) - 1, 0.5, -1.25, 1e300];
    for (const n of numbers) expect(written((w) => w.number(n)), String(n)).toEqual(packr.pack(n));
    for (const len of [0, 1, 31, 32, 255, 256, 65535, 65536]) {
      const ascii = 'a'.repeat(len);
      expect(written((w) => w.text(ascii)), `text ${len}`).toEqual(packr.pack(ascii));
      const bytes = '\xff'.repeat(len);
      expect(written((w) => w.bytes(bytes, 'latin1')), `bytes ${len}`).toEqual(packr.pack(Buffer.from(bytes, 'latin1')));
      const hex = 'ab'.repeat(len);
      expect(written((w) => w.bytes(hex, 'hex')), `hex ${len}`).toEqual(packr.pack(Buffer.from(hex, 'hex')));
    }
    for (const name of ['rööt', 'ユーザー', 'x'.repeat(20) + 'é'.repeat(10)]) expect(written((w) => w.text(name))).toEqual(packr.pack(name));
    for (const len of [0, 15, 16, 65535, 65536]) {
      const list = Array.from({ length: len }, (_, i) => i);
      expect(written((w) => w.value(list)), `array ${len}`).toEqual(packr.pack(list));
    }
    for (const len of [0, 15, 16, 300]) {
      const record = Object.fromEntries(Array.from({ length: len }, (_, i) => [`user.k${i}`, `v${i}`]));
      expect(written((w) => w.value(record)), `map ${len}`).toEqual(packr.pack(record));
    }
    for (const v of [true, false, null]) expect(written((w) => w.value(v))).toEqual(packr.pack(v));
  });

  it('refuses a digest that is not hex rather than write a header it does not fill', () => {
    expect(() => written((w) => w.bytes('abzz', 'hex'))).toThrow(/not hex bytes/);
  });

  it('entries round-trip through the cursor\'s reader, across the writer\'s flushes', () => {
    const entries: Entry[] = Array.from({ length: 30000 }, (_, i) => ({
      path: `/usr/lib/x\n\xe9${String(i).padStart(6, '0')}`,
      kind: i % 3 === 0 ? 'dir' : 'file',
      attrs: { type: i % 3 === 0 ? 'dir' : 'file', mode: 0o100755, uid: i, owner: 'röot', size: i * 4099, mtime: [1700000000 + i, 123456789],
        sha256: 'ab'.repeat(32), xattrs: { 'security.selinux': 'system_u:object_r:bin_t:s0\0' } },
      ...(i % 7 === 0 ? { untested: { sha256: 'EACCES' } } : {}),
      ...(i % 11 === 0 ? { config: true } : {}),
    }));
    const parts: Buffer[] = [];
    packEntries(entries, (b) => parts.push(Buffer.from(b)));
    expect(parts.length).toBeGreaterThan(1);
    expect(readEntries(Buffer.concat(parts))).toEqual(entries);
  });
});

describe('attribute values read from their bytes', () => {
  const value = (bytes: Buffer | Uint8Array, binAs: 'hex' | 'latin1' = 'latin1') => {
    const r = new RowsReader(Buffer.from(bytes), () => new BaselineFormatError('fault'));
    const v = r.attrValue(binAs);
    expect(r.done).toBe(true); // consumed whole, whatever it was
    return v;
  };

  it('reads every form an attribute value has, as msgpackr does', () => {
    const values = [null, true, false, 0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -32, -33, -128, -129,
      -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 1.5, -0.25, 1e300, '', 'text', 'é-ユ', 'x'.repeat(300), [], [1, -2, 3.5], { a: 'b', 'user.k': 'v' }];
    for (const v of values) expect(value(packr.pack(v)), JSON.stringify(v)).toEqual(packr.unpack(packr.pack(v)));
    expect(value(Buffer.from([0xca, 0x3f, 0xc0, 0x00, 0x00]))).toBe(1.5); // float32
    expect(value(packr.pack(Buffer.from([0xab, 0xcd])), 'hex')).toBe('abcd');
    expect(value(packr.pack(Buffer.from('caf\xe9', 'latin1')), 'latin1')).toBe('caf\xe9');
  });

  it('takes nothing else for one: 64-bit integers, non-finite numbers, mixed lists, records of non-text, ext', () => {
    const bad = [
      Buffer.from([0xcf, 0, 0, 0, 0, 0, 0, 0, 1]), Buffer.from([0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      packr.pack(NaN), packr.pack(Infinity), packr.pack([1, 'x']), packr.pack([[1]]), packr.pack({ a: 1 }), packr.pack({ a: { b: 'c' } }),
      Buffer.from([0x81, 0x01, 0xa1, 0x78]), // a number as a key
      Buffer.concat([Buffer.from([0x81]), packr.pack('__proto__'), packr.pack('x')]),
      Buffer.from([0xd4, 0x01, 0x00]), Buffer.from([0xc7, 0x02, 0x05, 0x00, 0x00]), Buffer.from([0xc1]),
    ];
    for (const b of bad) {
      const r = new RowsReader(Buffer.from(b), () => new BaselineFormatError('fault'));
      let got: unknown;
      try {
        got = r.attrValue('latin1');
      } catch (err) {
        got = err;
      }
      expect(got === undefined || got instanceof BaselineFormatError, b.toString('hex')).toBe(true);
    }
  });
});
