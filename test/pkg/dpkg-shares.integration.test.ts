/**
 * dpkg --verify split across processes by package (issue 13, goal 4): the
 * findings of several dpkg processes, each given a share of the package names,
 * are the lines one dpkg prints for the whole database, line for line (as a
 * set: dpkg's own order is its hash table's). On built roots with tampering in
 * every package, and on this host's own root when it is a dpkg system.
 */
import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackageData, verifyPackages } from '../../src/pkg/index.js';
import { listedPackages, splitPackages } from '../../src/pkg/dpkg-shares.js';
import type { Finding } from '../../src/types.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from './build-packages.js';
import { tempDir } from '../helpers/tree.js';

let work: string;
let root: string;
const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

beforeAll(() => {
  work = tempDir('ds-dpkg-shares-');
  root = newDpkgRoot(work);
  NAMES.forEach((name, i) => {
    const files: Record<string, string> = { [`/etc/${name}.conf`]: `${name}=1\n` };
    // Packages of different sizes, so the shares are balanced by weight, not count.
    for (let n = 0; n <= i * 3; n++) files[`/usr/share/${name}/f${n}`] = `${name} ${n}\n`;
    installDeb(root, buildDeb(work, { name, version: '1.0', files, conffiles: [`/etc/${name}.conf`] }));
  });
  // Something for dpkg to find in every package: changed content, a missing file, an edited conffile.
  for (const name of NAMES) appendFileSync(join(root, `usr/share/${name}/f0`), 'tampered\n');
  rmSync(join(root, 'usr/share/epsilon/f5'));
  rmSync(join(root, 'usr/share/delta/f1'));
  writeFileSync(join(root, 'etc/gamma.conf'), 'gamma=2\n');
  appendFileSync(join(root, 'etc/beta.conf'), '# local\n');
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const line = (f: Finding) => `${f.status === 'missing' ? 'missing  ' : f.flags} ${f.marker} ${f.path} ${f.package}`;

describe('dpkg --verify shared among processes', () => {
  it('splits every listed package into the asked number of shares, each package once', () => {
    const { names, strays } = listedPackages(root, '/var/lib/dpkg', new Set(NAMES));
    expect(names).toEqual([...NAMES].sort());
    expect(strays).toEqual([]);
    const shares = splitPackages(root, '/var/lib/dpkg', names, 3);
    expect(shares).toHaveLength(3);
    expect(shares.flat().sort()).toEqual(names);
    expect(splitPackages(root, '/var/lib/dpkg', names, 16)).toHaveLength(5);
  });

  it('gives the same findings as one dpkg for the whole database, at 1, 2, 3 and 8 processes', async () => {
    const data = await readPackageData(root, 'dpkg');
    const raw = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--log=/dev/null']);
    const rawLines = raw.split('\n').filter((l) => l !== '').sort();
    expect(rawLines).toHaveLength(9);
    for (const jobs of [1, 2, 3, 8]) {
      const result = await verifyPackages(root, 'dpkg', data, { jobs });
      expect(result.findings.map((f) => `${f.status === 'missing' ? 'missing  ' : f.flags} ${f.marker} ${f.path}`).sort(), `jobs ${jobs}`).toEqual(rawLines);
      expect(result.diagnostics).toEqual([]);
      expect(result.incomplete).toBeUndefined();
      expect(result.findings.every((f) => f.package === f.path.split('/')[3] || f.path === `/etc/${f.package}.conf`)).toBe(true);
    }
  });

  const hostDpkg = existsSync('/var/lib/dpkg/status') && existsSync('/usr/bin/dpkg');
  it.skipIf(!hostDpkg)('on this host\'s root: two processes find what one finds, line for line', async () => {
    const data = await readPackageData('/', 'dpkg');
    const one = await verifyPackages('/', 'dpkg', data, { jobs: 1, timeoutMs: 600_000 });
    const two = await verifyPackages('/', 'dpkg', data, { jobs: 2, timeoutMs: 600_000 });
    expect(one.incomplete).toBeUndefined();
    expect(two.incomplete).toBeUndefined();
    expect(two.findings.map(line).sort()).toEqual(one.findings.map(line).sort());
    expect(two.diagnostics.sort()).toEqual(one.diagnostics.sort());
  }, 900_000);
});
