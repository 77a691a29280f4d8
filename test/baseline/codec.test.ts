/**
 * The entry writer against msgpackr, byte for byte; decoding errors name what is wrong without
 * echoing damaged bytes that could break a line or a terminal.
 */
import { describe, expect, it } from 'vitest';
import { EntryUnpacker, packEntries } from '../../src/baseline/codec-entries.js';
import { EntryWriter } from '../../src/baseline/entry-writer.js';
import type { Entry } from '../../src/types.js';
import { packTrailer } from '../../src/baseline/codec.js';
import { openSealedReader } from '../../src/baseline/sealed.js';
import { BaselineFormatError } from '../../src/errors.js';
import { packr } from '../../src/baseline/msgpack.js';

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
    const err = caught(() => new EntryUnpacker().next(item));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err.message).toBe('baseline entry 0 has an unknown attribute');
  });

  it('the decoder\'s own message is kept printable and on one line', () => {
    // A valid header, then a string value cut short: msgpackr's message may quote what it read.
    const header = packr.pack({ format: 2, tool: 't', host: 'h\n\x1b]0;x', created: 'c', root: '/', policy: 'p', keyId: 'k' });
    const entries = Buffer.concat([Buffer.from([0xd9, 0x40]), Buffer.from('\n\x1b[31m')]);
    const prefix = Buffer.alloc(16);
    Buffer.from('DRIFTSCN').copy(prefix);
    prefix.writeUInt16BE(2, 8);
    const trailer = packTrailer({ count: 1, bytes: 0, attrs: [], unlisted: [], growing: [] });
    const body = Buffer.concat([header, entries, packr.pack(null), trailer, packr.pack(null)]);
    const tail = Buffer.alloc(16);
    tail.writeBigUInt64BE(BigInt(body.length), 0);
    tail.writeBigUInt64BE(BigInt(16 + header.length + entries.length), 8);
    const file = Buffer.concat([prefix, body, tail, Buffer.alloc(64)]);
    const err = caught(() => openSealedReader(file, undefined, true).forEachEntry(() => undefined));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err.message).toMatch(/^baseline body cannot be decoded: /);
    expect(err.message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
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

  it('entries round-trip through msgpackr\'s decoder, across the writer\'s flushes', () => {
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
    const unpacker = new EntryUnpacker();
    const back = packr.unpackMultiple(Buffer.concat(parts)) as unknown[];
    expect(back.map((item) => unpacker.next(item))).toEqual(entries);
  });
});
