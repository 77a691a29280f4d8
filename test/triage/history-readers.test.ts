/**
 * The readers of the root's own history (dpkg.log, apt indexes,
 * statoverride) on real files: they read inside the root, follow no link,
 * refuse a huge file, and a refusal only means nothing is explained by it.
 */
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
    expect([...readAptLists(r)].map(([n, v]) => [n, [...v]])).toEqual([['hello', ['1.1']]]);
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
    expect(readAptLists(r).size).toBe(0);
  });

  it('refuse a log over 256 MiB without reading it', () => {
    const r = root();
    const log = path.join(r, 'var/log/dpkg.log');
    fs.writeFileSync(log, '2026-11-30 03:00:00 upgrade hello:all 1.0 1.1\n');
    fs.truncateSync(log, 257 * 1024 * 1024); // sparse
    expect(readDpkgLog(r)).toEqual([]);
  });
});
