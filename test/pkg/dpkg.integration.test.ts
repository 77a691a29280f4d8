/**
 * Real dpkg: tiny .debs built with dpkg-deb, installed into private roots,
 * tampered with (including the FIFO that hangs dpkg --verify and the
 * directory that aborts it), and verified through driftscan's API.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectManagers, readPackageData, verifyPackages } from '../../src/pkg/index.js';
import { triage } from '../../src/pkg/triage.js';
import type { Finding } from '../../src/types.js';
import { buildDeb, hash, installDeb, newDpkgRoot, rawOutput } from './build-packages.js';
import { tempDir, underRoot } from '../helpers/tree.js';
import { CAFE } from './fixtures.js';

let work: string;
let mainDeb: string;
let otherDeb: string;

beforeAll(() => {
  work = tempDir('driftscan-dpkg-');
  mainDeb = buildDeb(work, {
    name: 'dsdeb',
    version: '1:1.0-1',
    files: {
      '/etc/dsdeb/app.conf': 'setting=1\n',
      '/usr/bin/dsdeb': { content: '#!/bin/sh\necho 1.0\n', mode: 0o755 },
      [`/usr/share/dsdeb/${CAFE}`]: 'latin\n',
      '/usr/share/dsdeb/gone': 'gone\n',
      '/usr/share/dsdeb/hazard': 'plain file for now\n',
      '/usr/share/dsdeb/zz-last': 'last\n',
    },
    conffiles: ['/etc/dsdeb/app.conf'],
  });
  otherDeb = buildDeb(work, { name: 'dsother', version: '0.5', files: { '/usr/share/dsother/file': 'other\n' } });
}, 20_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

let rootCount = 0;
function installedRoot(): string {
  const root = newDpkgRoot(join(work, `r${rootCount++}`));
  installDeb(root, mainDeb);
  installDeb(root, otherDeb);
  return root;
}

/** Splits a dpkg --verify line by its fixed columns (independently of the parser). */
function columns(line: string) {
  const missing = line.startsWith('missing ');
  return { status: missing ? 'missing' : 'changed', flags: missing ? undefined : line.slice(0, 9), marker: line[10], path: line.slice(12) };
}

const shown = (f: Finding) => ({ status: f.status, flags: f.flags, marker: f.marker, path: f.path });

describe('dpkg on a private root', () => {
  it('detects dpkg and reads packages, owners, md5s (conffiles from status) and database digests', async () => {
    const root = installedRoot();
    expect(detectManagers(root)).toEqual(['dpkg']);
    const data = await readPackageData(root, 'dpkg');
    expect(data.packages).toEqual([
      { name: 'dsdeb', version: '1:1.0-1', arch: 'all' },
      { name: 'dsother', version: '0.5', arch: 'all' },
    ]);
    expect(data.files['/usr/bin/dsdeb']).toEqual({ pkg: 'dsdeb', digest: hash('md5', '#!/bin/sh\necho 1.0\n'), algo: 'md5' });
    expect(data.files['/etc/dsdeb/app.conf']).toEqual({ pkg: 'dsdeb', digest: hash('md5', 'setting=1\n'), algo: 'md5' });
    expect(data.files[`/usr/share/dsdeb/${CAFE}`]?.digest).toBe(hash('md5', 'latin\n'));
    expect(data.files['/usr/share/dsdeb']).toEqual({ pkg: 'dsdeb' });
    expect(data.dbFiles['/var/lib/dpkg/status']).toBe(hash('sha256', readFileSync(join(root, 'var/lib/dpkg/status'))));
    expect(Object.keys(data.dbFiles)).toContain('/var/lib/dpkg/info/dsdeb.md5sums');
  });

  it('reports exactly what dpkg --verify prints, with the package name, and does not write a log', async () => {
    const root = installedRoot();
    appendFileSync(join(root, 'etc/dsdeb/app.conf'), 'setting=2\n');
    appendFileSync(join(root, 'usr/bin/dsdeb'), '# changed\n');
    writeFileSync(underRoot(root, `/usr/share/dsdeb/${CAFE}`), 'LATIN\n');
    rmSync(join(root, 'usr/share/dsdeb/gone'));
    appendFileSync(join(root, 'usr/share/dsother/file'), 'changed\n');
    const data = await readPackageData(root, 'dpkg');

    const raw = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--log=/dev/null']);
    const printed = raw.split('\n').filter((l) => l !== '').map(columns);
    const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    // The real tool (split across processes) and driftscan's own, the same lines in any order.
    const tool = await verifyPackages(root, 'dpkg', data, { verifier: 'tool' });
    expect(sorted(tool.findings.map(shown))).toEqual(sorted(printed));
    const result = await verifyPackages(root, 'dpkg', data);
    expect(sorted(result.findings.map(shown))).toEqual(sorted(printed));
    expect(result).toMatchObject({ manager: 'dpkg', diagnostics: [] });
    expect(result.incomplete).toBeUndefined();

    const byPath = new Map(result.findings.map((f) => [f.path, f]));
    expect(byPath.get('/etc/dsdeb/app.conf')).toMatchObject({ flags: '??5??????', marker: 'c', package: 'dsdeb' });
    expect(byPath.get('/usr/bin/dsdeb')).toMatchObject({ flags: '??5??????', marker: ' ', package: 'dsdeb' });
    expect(byPath.get(`/usr/share/dsdeb/${CAFE}`)).toMatchObject({ status: 'changed', package: 'dsdeb' });
    expect(byPath.get('/usr/share/dsdeb/gone')).toMatchObject({ status: 'missing', package: 'dsdeb' });
    expect(byPath.get('/usr/share/dsother/file')).toMatchObject({ status: 'changed', package: 'dsother' });
    expect(result.findings).toHaveLength(5);
  });
});

describe('dpkg --verify hazards', () => {
  it('a packaged file turned FIFO: without preflight, the timeout stops dpkg and keeps what it printed', async () => {
    const root = installedRoot();
    appendFileSync(join(root, 'usr/bin/dsdeb'), '# changed\n');
    rmSync(join(root, 'usr/share/dsdeb/hazard'));
    execFileSync('/usr/bin/mkfifo', [join(root, 'usr/share/dsdeb/hazard')]);
    const data = await readPackageData(root, 'dpkg');

    // dpkg blocks on the FIFO forever: only the timeout ends it (and says so).
    const result = await verifyPackages(root, 'dpkg', data, { timeoutMs: 1500, preflight: false, verifier: 'tool' });
    expect(result.incomplete).toMatch(/dpkg --verify was stopped after 1.5 s/);
    // Printed before dpkg blocked on the FIFO (it is listed before it).
    expect(result.findings.map((f) => [f.path, f.flags, f.package])).toContainEqual(['/usr/bin/dsdeb', '??5??????', 'dsdeb']);
  }, 10_000);

  it('a packaged file turned FIFO: that package is checked by driftscan, dpkg verifies the others', async () => {
    const root = installedRoot();
    rmSync(join(root, 'usr/share/dsdeb/hazard'));
    execFileSync('/usr/bin/mkfifo', [join(root, 'usr/share/dsdeb/hazard')]);
    appendFileSync(join(root, 'usr/bin/dsdeb'), '# changed\n');
    appendFileSync(join(root, 'usr/share/dsother/file'), 'changed\n');
    const data = await readPackageData(root, 'dpkg');

    const result = await verifyPackages(root, 'dpkg', data, { timeoutMs: 5000, verifier: 'tool' });
    expect(result.findings.map(shown)).toEqual([
      { status: 'changed', flags: '??5??????', marker: ' ', path: '/usr/bin/dsdeb' },
      { status: 'changed', flags: '??5??????', marker: ' ', path: '/usr/share/dsdeb/hazard' },
      { status: 'changed', flags: '??5??????', marker: ' ', path: '/usr/share/dsother/file' },
    ]);
    expect(result.findings[1].note).toMatch(/not a regular file: fifo/);
    expect(result.findings.map((f) => f.package)).toEqual(['dsdeb', 'dsdeb', 'dsother']);
    // Every file of every package was checked: nothing is left out.
    expect(result.incomplete).toBeUndefined();
    expect(result.diagnostics.join('\n')).toMatch(/not run for dsdeb:.*checked their files itself/);

    // driftscan's own verify never opens the FIFO: not a regular file, so neither the package's content.
    const native = await verifyPackages(root, 'dpkg', data, { timeoutMs: 5000 });
    expect(native.findings.map(shown)).toEqual([
      { status: 'changed', flags: '??5??????', marker: ' ', path: '/usr/bin/dsdeb' },
      { status: 'changed', flags: '?M5??????', marker: ' ', path: '/usr/share/dsdeb/hazard' },
      { status: 'changed', flags: '??5??????', marker: ' ', path: '/usr/share/dsother/file' },
    ]);
    expect(native.incomplete).toBeUndefined();
  }, 10_000);

  it('a packaged file turned directory: dpkg aborts; the run is incomplete with its error', async () => {
    const root = installedRoot();
    appendFileSync(join(root, 'usr/bin/dsdeb'), '# changed\n');
    rmSync(join(root, 'usr/share/dsdeb/hazard'));
    mkdirSync(join(root, 'usr/share/dsdeb/hazard'));
    const data = await readPackageData(root, 'dpkg');

    const raw = await verifyPackages(root, 'dpkg', data, { preflight: false, verifier: 'tool' });
    expect(raw.incomplete).toMatch(/dpkg --verify exited with status 2/);
    expect(raw.diagnostics.join('\n')).toMatch(/Is a directory/);
    expect(raw.findings.map((f) => f.path)).toContain('/usr/bin/dsdeb');

    const checked = await verifyPackages(root, 'dpkg', data, { verifier: 'tool' });
    expect(checked.findings.find((f) => f.path === '/usr/share/dsdeb/hazard')?.note).toMatch(/not a regular file: dir/);
    expect(checked.findings.map((f) => f.path)).toContain('/usr/bin/dsdeb');
    expect(checked.incomplete).toBeUndefined();
  });
});

describe('triage against a real dpkg database', () => {
  it('catches a database edited to hide a changed file', async () => {
    const root = installedRoot();
    const before = await readPackageData(root, 'dpkg');
    // The intruder replaces the binary and records its md5 in the database.
    writeFileSync(join(root, 'usr/bin/dsdeb'), 'trojan\n');
    const md5sums = join(root, 'var/lib/dpkg/info/dsdeb.md5sums');
    writeFileSync(md5sums, readFileSync(md5sums, 'latin1').replace(hash('md5', '#!/bin/sh\necho 1.0\n'), hash('md5', 'trojan\n')), 'latin1');
    const after = await readPackageData(root, 'dpkg');

    const verified = await verifyPackages(root, 'dpkg', after);
    expect(verified.findings).toEqual([]); // dpkg itself is fooled

    const fromBaseline: Finding = { path: '/usr/bin/dsdeb', status: 'changed', source: 'baseline', deltas: [], extra: [], untested: {} };
    const current = (path: string, algo: string) => hash(algo, readFileSync(underRoot(root, path)));
    const extra = triage([fromBaseline], before, after, current);
    expect(fromBaseline).toMatchObject({ package: 'dsdeb', triage: 'unexplained' });
    expect(extra.map((f) => [f.path, f.status, f.source, f.package, f.triage])).toEqual([
      ['/usr/bin/dsdeb', 'changed', 'dpkg', 'dsdeb', 'unexplained'],
      ['/var/lib/dpkg/info/dsdeb.md5sums', 'changed', 'dpkg', 'unowned', 'unexplained'],
    ]);
    expect(extra[0].note).toMatch(/did not change version/);
  });
});
