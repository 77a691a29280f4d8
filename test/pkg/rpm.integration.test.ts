/**
 * Real rpm: a tiny package built with rpmbuild, installed into a private
 * root, tampered with, and verified through driftscan's API.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageToolError } from '../../src/errors.js';
import { detectManagers, readPackageData, verifyPackages } from '../../src/pkg/index.js';
import { triage } from '../../src/pkg/triage.js';
import { withSharedRpmCopy } from '../../src/pkg/rpm-db.js';
import { readRpmRecords } from '../../src/pkg/rpm-records.js';
import type { Finding, PackageData } from '../../src/types.js';
import { buildRpm, hash, newRpmRoot, rawOutput, rpmInRoot, type RpmSpec } from './build-packages.js';
import { underRoot, tempDir } from '../helpers/tree.js';
import { CAFE } from './fixtures.js';

const FILES_SECTION = [
  '%config(noreplace) /etc/dsrpm/app.conf',
  '/usr/bin/dsrpm',
  '%doc /usr/share/doc/dsrpm/README',
  '/usr/share/dsrpm',
];

function spec(version: string, binary: string): RpmSpec {
  return {
    name: 'dsrpm',
    version,
    epoch: 2,
    files: {
      '/etc/dsrpm/app.conf': 'setting=1\n',
      '/usr/bin/dsrpm': { content: binary, mode: 0o755 },
      '/usr/share/doc/dsrpm/README': 'readme\n',
      [`/usr/share/dsrpm/${CAFE}`]: 'latin\n',
      '/usr/share/dsrpm/data': 'data\n',
    },
    filesSection: FILES_SECTION,
  };
}

let work: string;
let root: string;
let v10: string;
let v11: string;

beforeAll(() => {
  work = tempDir('driftscan-rpm-');
  v10 = buildRpm(work, spec('1.0', '#!/bin/sh\necho 1.0\n'));
  v11 = buildRpm(work, spec('1.1', '#!/bin/sh\necho 1.1\n'));
  root = newRpmRoot(work);
  rpmInRoot(root, '-i', '--nodeps', '--noscripts', v10);
}, 20_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Splits an rpm -Va line by rpm's fixed columns (independently of the parser). */
function columns(line: string) {
  if (line.startsWith('missing ')) return { status: 'missing', flags: undefined, marker: line[10], path: line.slice(12) };
  return { status: 'changed', flags: line.slice(0, 9), marker: line[11], path: line.slice(13) };
}

describe('rpm on a private root', () => {
  let before: PackageData;

  it('detects rpm and reads packages, recorded sha256 digests and the database digests', async () => {
    expect(detectManagers(root)).toEqual(['rpm']);
    before = await readPackageData(root, 'rpm');
    expect(before.packages).toEqual([{ name: 'dsrpm', version: '2:1.0-1', arch: 'noarch' }]);
    expect(before.files['/usr/bin/dsrpm']).toEqual({ pkg: 'dsrpm', digest: hash('sha256', '#!/bin/sh\necho 1.0\n'), algo: 'sha256' });
    expect(before.files[`/usr/share/dsrpm/${CAFE}`]).toEqual({ pkg: 'dsrpm', digest: hash('sha256', 'latin\n'), algo: 'sha256' });
    expect(before.files['/usr/share/dsrpm']).toEqual({ pkg: 'dsrpm' });
    expect(before.dbFiles['/var/lib/rpm/rpmdb.sqlite']).toBe(hash('sha256', readFileSync(join(root, 'var/lib/rpm/rpmdb.sqlite'))));
    expect(Object.keys(before.dbFiles).some((p) => p.endsWith('-shm'))).toBe(false);
  });

  it('reports exactly what rpm -Va prints, with the package name', async () => {
    appendFileSync(join(root, 'etc/dsrpm/app.conf'), 'setting=2\n');
    chmodSync(join(root, 'usr/bin/dsrpm'), 0o700);
    rmSync(join(root, 'usr/share/doc/dsrpm/README'));
    writeFileSync(underRoot(root, `/usr/share/dsrpm/${CAFE}`), 'LATIN\n');
    rmSync(join(root, 'usr/share/dsrpm/data'));
    mkdirSync(join(root, 'usr/share/dsrpm/data'));

    const result = await verifyPackages(root, 'rpm', before);
    const raw = rawOutput('/usr/bin/rpm', ['-Va', '--nodeps', '--noscripts', '--root', root, '--dbpath', '/var/lib/rpm']);
    const printedLines = raw.split('\n').filter((l) => l !== '');
    expect(result.findings.map((f) => ({ status: f.status, flags: f.flags, marker: f.marker, path: f.path }))).toEqual(
      printedLines.map(columns),
    );
    expect(result).toMatchObject({ manager: 'rpm', diagnostics: [] });
    expect(result.incomplete).toBeUndefined();
    for (const f of result.findings) expect(f.package).toBe('dsrpm');

    // What each tampering must look like, so a wrong column split cannot pass.
    const byPath = new Map(result.findings.map((f) => [f.path, f]));
    expect(byPath.get('/etc/dsrpm/app.conf')).toMatchObject({ marker: 'c', status: 'changed' });
    expect(byPath.get('/etc/dsrpm/app.conf')!.flags).toMatch(/^S\.5/);
    expect(byPath.get('/usr/bin/dsrpm')!.flags).toMatch(/^\.M\./);
    expect(byPath.get('/usr/share/doc/dsrpm/README')).toMatchObject({ status: 'missing', marker: 'd' });
    expect(byPath.get(`/usr/share/dsrpm/${CAFE}`)!.flags).toMatch(/^\.\.5/);
    expect(byPath.get('/usr/share/dsrpm/data')!.flags).toMatch(/^.M/);
  });

  it('explains an upgraded file whose content matches the new database, not a tampered one', async () => {
    rmSync(join(root, 'usr/share/dsrpm/data'), { recursive: true }); // rpm will not replace a directory
    rpmInRoot(root, '-U', '--nodeps', '--noscripts', v11);
    writeFileSync(underRoot(root, `/usr/share/dsrpm/${CAFE}`), 'trojan\n'); // tampered after the update
    const after = await readPackageData(root, 'rpm');
    expect(after.packages).toEqual([{ name: 'dsrpm', version: '2:1.1-1', arch: 'noarch' }]);
    const finding = (path: string): Finding => ({ path, status: 'changed', source: 'baseline', deltas: [], extra: [], untested: {} });
    const findings = [finding('/usr/bin/dsrpm'), finding('/etc/dsrpm/app.conf'), finding(`/usr/share/dsrpm/${CAFE}`), finding('/opt/stray')];
    // The scan's own sha256 of what is on disk now.
    const current = (path: string, algo: string) =>
      existsSync(underRoot(root, path)) ? hash(algo, readFileSync(underRoot(root, path))) : undefined;
    const extra = triage(findings, before, after, current);
    expect(findings.map((f) => [f.path, f.package, f.triage])).toEqual([
      ['/usr/bin/dsrpm', 'dsrpm', 'explained'],
      // noreplace config kept the local edit: its content is not what 1.1 ships.
      ['/etc/dsrpm/app.conf', 'dsrpm', 'unexplained'],
      [`/usr/share/dsrpm/${CAFE}`, 'dsrpm', 'unexplained'],
      ['/opt/stray', 'unowned', 'unexplained'],
    ]);
    expect(extra).toEqual([]);
  });
});

describe('rpm database pitfalls', () => {
  it('refuses a root without a database and does not let rpm create one', async () => {
    const bare = join(work, 'bare');
    mkdirSync(join(bare, 'var/lib/rpm'), { recursive: true });
    expect(detectManagers(bare)).toEqual([]);
    await expect(readPackageData(bare, 'rpm')).rejects.toThrow(PackageToolError);
    await expect(readPackageData(bare, 'rpm')).rejects.toThrow(/no rpm database/);
    expect(readdirSync(join(bare, 'var/lib/rpm'))).toEqual([]);
  });

  it('calls an empty database an error, not a clean system', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    rpmInRoot(empty, '--initdb');
    expect(existsSync(join(empty, 'var/lib/rpm/rpmdb.sqlite'))).toBe(true);
    const err = await readPackageData(empty, 'rpm').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackageToolError);
    expect((err as PackageToolError).exitCode).toBe(24);
    expect((err as Error).message).toMatch(/lists no packages/);
    const none: PackageData = { manager: 'rpm', packages: [], files: {}, dbFiles: {} };
    await expect(verifyPackages(empty, 'rpm', none)).rejects.toThrow(/refusing to call an empty verify clean/);
  });
});

describe('one copy of the database per scan', () => {
  it("rpm's three queries inside withSharedRpmCopy use one private copy, removed at the end; outside it each run copies and removes its own", async () => {
    const tmp = tempDir('driftscan-rpmtmp-');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const copies = () => readdirSync(tmp).filter((n) => n.startsWith('driftscan-rpmdb-'));
    try {
      const seen: string[][] = [];
      await withSharedRpmCopy(async () => {
        const data = await readPackageData(root, 'rpm');
        seen.push(copies());
        expect(await readRpmRecords(root)).toBeDefined();
        seen.push(copies());
        await verifyPackages(root, 'rpm', data);
        seen.push(copies());
      });
      expect(seen[0]).toHaveLength(1);
      expect(seen).toEqual([seen[0], seen[0], seen[0]]);
      expect(copies()).toEqual([]);
      await readPackageData(root, 'rpm');
      expect(copies()).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
