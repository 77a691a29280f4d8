/**
 * The LZ4 frame decoder against what the real `lz4` CLI writes, with every
 * frame option it offers, and against corrupt, truncated and bomb input.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeLz4Frames, Lz4Error } from '../../src/pkg/lz4-frame.js';
import { xxh32 } from '../../src/pkg/xxhash32.js';
import { tempDir } from '../helpers/tree.js';

const MAX = 256 * 1024 * 1024;

/** `lz4 ARGS` on `data`, as the CLI writes it to a file. */
function lz4(data: Buffer, ...args: string[]): Buffer {
  const dir = tempDir('ds-lz4-');
  const input = path.join(dir, 'in');
  fs.writeFileSync(input, data);
  execFileSync('lz4', ['-q', '-f', ...args, input, `${input}.lz4`]);
  return fs.readFileSync(`${input}.lz4`);
}

/** Text with long repeats: long matches, and runs that copy over themselves (offset < length). */
function repetitive(): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < 3000; i++) parts.push(`Package: pkg${i % 37}\nVersion: 1.${i % 5}\n${'a'.repeat(i % 300)}\n\n`);
  return Buffer.from(parts.join('') + 'z'.repeat(100_000));
}

const decode = (b: Buffer, max = MAX) => decodeLz4Frames(b, max);

describe('xxh32', () => {
  it('matches xxh32sum', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('abc'), randomBytes(1000)]) {
      const out = execFileSync('xxh32sum', { input: data }).toString().split(' ')[0];
      expect(xxh32(data).toString(16).padStart(8, '0')).toBe(out);
    }
  });
});

describe('lz4 frames from the lz4 CLI', () => {
  const cases: Array<[string, Buffer, string[]]> = [
    ['empty', Buffer.alloc(0), []],
    ['small', Buffer.from('Package: hello\nVersion: 1.1\n'), []],
    ['highly repetitive (long and overlapping matches)', repetitive(), []],
    ['random (stored, uncompressed blocks)', randomBytes(300_000), []],
    ['multi-block, 64 KiB blocks, linked', repetitive(), ['-B4', '-BD']],
    ['multi-block random, 64 KiB independent blocks', randomBytes(200_000), ['-B4']],
    ['with --content-size', repetitive(), ['--content-size']],
    ['with --no-frame-crc', repetitive(), ['--no-frame-crc']],
    ['with block checksums (-BX)', repetitive(), ['-BX', '-B4']],
    ['level 12', repetitive(), ['-12']],
  ];
  for (const [name, data, args] of cases) {
    it(`decodes ${name}`, () => {
      const frame = lz4(data, ...args);
      expect(decode(frame).equals(data)).toBe(true);
    });
  }

  it('decodes two concatenated frames, and skips a skippable frame', () => {
    const a = repetitive();
    const b = Buffer.from('Package: second\nVersion: 2\n');
    const skippable = Buffer.alloc(8 + 5);
    skippable.writeUInt32LE(0x184d2a53, 0);
    skippable.writeUInt32LE(5, 4);
    const out = decode(Buffer.concat([lz4(a), skippable, lz4(b, '-BX', '--content-size')]));
    expect(out.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('decodes this machine\'s own apt lists as `lz4 -d` does', () => {
    const dir = '/var/lib/apt/lists';
    const lists = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('_Packages.lz4')) : [];
    for (const name of lists.slice(0, 1)) {
      const expected = execFileSync('lz4', ['-dc', path.join(dir, name)], { maxBuffer: MAX });
      expect(decode(fs.readFileSync(path.join(dir, name))).equals(expected)).toBe(true);
    }
  });
});

describe('bad lz4 input is refused with a clear error', () => {
  const good = lz4(repetitive(), '-BX', '-B4');

  it('refuses corrupt input: a flipped byte in a block, the header checksum, the content checksum', () => {
    for (const at of [7, 40, good.length - 2]) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x55;
      expect(() => decode(bad)).toThrow(Lz4Error);
    }
  });

  it('refuses a corrupt block that no checksum covers (offset out of range)', () => {
    // A frame without block or content checksums, one compressed block: literal "ab", then a match 9 bytes back.
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
    const hc = (xxh32(header.subarray(4)) >>> 8) & 0xff;
    const block = Buffer.from([0x20, 0x61, 0x62, 0x09, 0x00]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(block.length);
    const frame = Buffer.concat([header, Buffer.from([hc]), size, block, Buffer.alloc(4)]);
    expect(() => decode(frame)).toThrow(/lz4: match offset out of range/);
  });

  it('refuses truncated input at every cut', () => {
    for (const cut of [0, 3, 5, 7, 12, good.length >> 1, good.length - 4, good.length - 1]) {
      expect(() => decode(good.subarray(0, cut)), `cut at ${cut}`).toThrow(Lz4Error);
    }
  });

  it('refuses data that is not lz4 at all', () => {
    expect(() => decode(Buffer.from('Package: hello\n'))).toThrow(/not an lz4 frame/);
  });

  it('refuses a bomb over the cap before expanding it', () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    const bomb = lz4(zeros);
    expect(bomb.length).toBeLessThan(zeros.length / 100);
    expect(() => decode(bomb, 1024 * 1024)).toThrow(/decompressed size exceeds 1048576 bytes/);
    // With a declared content size, refused from the header alone.
    expect(() => decode(lz4(zeros, '--content-size'), 1024 * 1024)).toThrow(/decompressed size exceeds/);
    expect(decode(bomb, zeros.length).equals(zeros)).toBe(true);
  });
});
