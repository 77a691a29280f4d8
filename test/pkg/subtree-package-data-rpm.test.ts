/**
 * The rpm side of a subtree baseline's package data (issue 13, goal 5): rpm -qa
 * prints every file, and only the walked paths are kept; the installed set and
 * the database digests stay whole.
 */
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeBaseline } from '../../src/baseline/build.js';
import { readPackageData } from '../../src/pkg/index.js';
import { buildRpm, hash, newRpmRoot, rpmInRoot } from './build-packages.js';
import { tempDir } from '../helpers/tree.js';

let work: string;
let root: string;

beforeAll(() => {
  work = tempDir('ds-subtree-rpm-');
  rpmInRoot(root = newRpmRoot(work), '-i', '--nodeps', '--noscripts', buildRpm(work, {
    name: 'dsscope', version: '1.0',
    files: { '/usr/bin/dsscope': { content: 'bin\n', mode: 0o755 }, '/usr/share/dsscope/a': 'a\n', '/usr/share/dsscope/b': 'b\n', '/etc/dsscope.conf': 'c\n' },
    filesSection: ['/usr/bin/dsscope', '/usr/share/dsscope', '%config /etc/dsscope.conf'],
  }));
}, 30_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('rpm package data of a subtree baseline', () => {
  it('records the walked paths only, with their digests; packages and database digests whole', async () => {
    const whole = await readPackageData(root, 'rpm');
    const { baseline } = await takeBaseline({ root, paths: ['/usr/share/dsscope'], packages: 'rpm', signingKey: generateKeyPairSync('ed25519').privateKey });
    const got = baseline.packages!;
    expect(Object.keys(got.files).sort()).toEqual(['/usr/share/dsscope', '/usr/share/dsscope/a', '/usr/share/dsscope/b']);
    expect(got.files['/usr/share/dsscope/a']).toEqual(whole.files['/usr/share/dsscope/a']);
    expect(got.files['/usr/share/dsscope/a']?.digest).toBe(hash('sha256', 'a\n'));
    expect(Object.keys(whole.files)).toContain('/usr/bin/dsscope');
    expect(got.packages).toEqual(whole.packages);
    expect(got.dbFiles).toEqual(whole.dbFiles);
  });
});
