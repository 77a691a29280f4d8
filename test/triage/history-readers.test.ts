/**
 * The readers of the root's own history (dpkg.log, apt indexes,
 * statoverride) on real files: they read inside the root, follow no link,
 * refuse a huge file, and a refusal only means nothing is explained by it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDpkgLog } from '../../src/pkg/dpkg-log.js';
import { readAptLists } from '../../src/pkg/apt-lists.js';
import { readStatOverrides } from '../../src/pkg/dpkg-statoverride.js';
import { newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';

function root(): string {
  const r = newDpkgRoot(tempDir('ds-history-'));
  fs.mkdirSync(path.join(r, 'var/log'), { recursive: true });
  fs.mkdirSync(path.join(r, 'var/lib/apt/lists'), { recursive: true });
  return r;
}

describe('history readers', () => {
  it('read dpkg.log, the apt indexes and the statoverride table of the root', () => {
    const r = root();
    fs.writeFileSync(path.join(r, 'var/log/dpkg.log'), '2026-11-30 03:00:00 upgrade hello:all 1.0 1.1\n');
    fs.writeFileSync(path.join(r, 'var/lib/apt/lists/x_Packages'), 'Package: hello\nVersion: 1.1\n');
    fs.writeFileSync(path.join(r, 'var/lib/apt/lists/x_Release'), 'Package: nope\nVersion: 9\n');
    fs.writeFileSync(path.join(r, 'var/lib/dpkg/statoverride'), 'root root 4755 /usr/bin/x\n');
    expect(readDpkgLog(r).map((e) => [e.action, e.name, e.versions])).toEqual([['upgrade', 'hello', ['1.0', '1.1']]]);
    expect([...readAptLists(r, new Set(['hello', 'nope']))].map(([n, v]) => [n, [...v]])).toEqual([['hello', ['1.1']]]);
    expect([...readStatOverrides(r)]).toEqual([['/usr/bin/x', { user: 'root', group: 'root', mode: 0o4755 }]]);
  });

  it('follow no symlink to the host (a dpkg.log or lists directory linked out of the root gives nothing)', () => {
    const r = root();
    const outside = tempDir('ds-outside-');
    fs.writeFileSync(path.join(outside, 'dpkg.log'), '2026-11-30 03:00:00 upgrade hello:all 1.0 1.1\n');
    fs.symlinkSync(path.join(outside, 'dpkg.log'), path.join(r, 'var/log/dpkg.log'));
    fs.writeFileSync(path.join(outside, 'x_Packages'), 'Package: hello\nVersion: 1.1\n');
    fs.rmSync(path.join(r, 'var/lib/apt/lists'), { recursive: true });
    fs.symlinkSync(outside, path.join(r, 'var/lib/apt/lists'));
    expect(readDpkgLog(r)).toEqual([]);
    expect(readAptLists(r, new Set(['hello'])).size).toBe(0);
  });

  it('refuse a log over 256 MiB without reading it', () => {
    const r = root();
    const log = path.join(r, 'var/log/dpkg.log');
    fs.writeFileSync(log, '2026-11-30 03:00:00 upgrade hello:all 1.0 1.1\n');
    fs.truncateSync(log, 257 * 1024 * 1024); // sparse
    expect(readDpkgLog(r)).toEqual([]);
  });

  describe('apt indexes kept compressed', () => {
    const LIST = 'var/lib/apt/lists';
    /** What the indexes offer of every name these tests write. */
    const ASKED = new Set(['a', 'b', 'c', 'd', 'both', 'hello', 'newd']);
    const offeredBy = (r: string, unread: string[] = []) => [...readAptLists(r, ASKED, unread)].map(([n, v]) => [n, [...v].sort()]).sort();
    /** Writes `text` as the index `name` and compresses it with `tool ARGS` (which writes NAME.ext). */
    function index(r: string, name: string, text: string, ...tool: string[]): void {
      const file = path.join(r, LIST, name);
      fs.writeFileSync(file, text);
      if (tool.length) execFileSync(tool[0]!, [...tool.slice(1), file]);
    }

    it('read .lz4 and .gz indexes; one source in two forms is read once, with no diagnostic', () => {
      const r = root();
      index(r, 'a_Packages', 'Package: hello\nVersion: 1.1\n', 'lz4', '-q', '-m', '--rm');
      index(r, 'b_Packages', 'Package: newd\nVersion: 1.0\n', 'gzip', '-n');
      index(r, 'c_Packages', 'Package: both\nVersion: 2\n');
      index(r, 'c_Packages.gz', 'not gzip, never read: the uncompressed form comes first');
      const unread: string[] = [];
      expect(offeredBy(r, unread)).toEqual([['both', ['2']], ['hello', ['1.1']], ['newd', ['1.0']]]);
      expect(unread).toEqual([]);
    });

    it('name a source whose only indexes cannot be read (xz, zst, corrupt lz4, truncated gz); it offers nothing', () => {
      const r = root();
      index(r, 'x_Packages', 'Package: a\nVersion: 1\n', 'xz');
      index(r, 'z_Packages', 'Package: b\nVersion: 1\n', 'zstd', '-q', '--rm');
      index(r, 'l_Packages', 'Package: c\nVersion: 1\n'.repeat(50), 'lz4', '-q', '-m', '--rm');
      const lz4 = path.join(r, LIST, 'l_Packages.lz4');
      const bytes = fs.readFileSync(lz4);
      bytes[bytes.length - 1] ^= 0xff; // in the content checksum
      fs.writeFileSync(lz4, bytes);
      index(r, 'g_Packages', 'Package: d\nVersion: 1\n'.repeat(50), 'gzip', '-n');
      const gz = path.join(r, LIST, 'g_Packages.gz');
      fs.writeFileSync(gz, fs.readFileSync(gz).subarray(0, 20));
      const unread: string[] = [];
      expect(offeredBy(r, unread)).toEqual([]);
      const head = 'apt index not read, the versions it offers are not known: /var/lib/apt/lists/';
      expect(unread).toEqual([
        `${head}g_Packages.gz (unexpected end of file)`,
        `${head}l_Packages.lz4 (lz4: content checksum mismatch)`,
        `${head}x_Packages.xz (no xz decoder)`,
        `${head}z_Packages.zst (no zst decoder)`,
      ]);
    });

    it('refuse a decompression bomb over 256 MiB (lz4 with its size declared, gz) instead of expanding it', () => {
      const r = root();
      const zeros = path.join(tempDir('ds-bomb-'), 'zeros');
      fs.writeFileSync(zeros, '');
      fs.truncateSync(zeros, 257 * 1024 * 1024); // sparse: reads as zeros
      execFileSync('lz4', ['-q', '--content-size', zeros, path.join(r, LIST, 'l_Packages.lz4')]);
      execFileSync('sh', ['-c', `gzip -9 -c "${zeros}" > "${path.join(r, LIST, 'g_Packages.gz')}"`]);
      expect(fs.statSync(path.join(r, LIST, 'g_Packages.gz')).size).toBeLessThan(1024 * 1024);
      const unread: string[] = [];
      expect(offeredBy(r, unread)).toEqual([]);
      expect(unread).toEqual([
        'apt index not read, the versions it offers are not known: /var/lib/apt/lists/g_Packages.gz (larger than 268435456 bytes)',
        'apt index not read, the versions it offers are not known: /var/lib/apt/lists/l_Packages.lz4 (lz4: decompressed size exceeds 268435456 bytes)',
      ]);
    });
  });
});
