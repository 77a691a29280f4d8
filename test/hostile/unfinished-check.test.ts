/**
 * A package check that did not finish is "not checked" in every format: the
 * summary counts it, and json and ndjson carry a record of it (before, ndjson
 * wrote nothing and the summary said "0 not checked").
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

let root: string;
let file: string;
let pub: string;

beforeAll(() => {
  const work = tempDir('ds-unfinished-');
  const keys = path.join(work, 'k');
  expect(driftscan(['keygen', '--out', keys]).code).toBe(0);
  pub = path.join(keys, 'driftscan.pub');
  root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  installDeb(root, buildDeb(work, { name: 'half', version: '1.0', files: { '/usr/bin/half': 'half v1\n', '/usr/share/half/data': 'data\n' } }));
  file = path.join(work, 'b.dsb');
  expect(driftscan(['baseline', '/usr/bin', '/etc', '--root', root, '--key', path.join(keys, 'driftscan.key'), '-o', file]).code).toBe(0);
});

// A package tool stopped by its timeout: what it did not get to is not checked.
const scan = (...args: string[]) => driftscan(['scan', file, '--pubkey', pub, '--root', root, '--package-timeout', '0.001', ...args]);

describe('an unfinished dpkg check', () => {
  it('text: a line for the check, counted under "not checked", exit bit 8', () => {
    const r = scan();
    const record = r.stdout.split('\n').find((l) => l.startsWith('untested    /var/lib/dpkg'));
    expect(record).toMatch(/^untested {4}\/var\/lib\/dpkg {2}untested: package-check \(.*timeout.*\) {2}\[dpkg\]$/);
    expect(r.stdout).toMatch(/^# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 1 not checked, 0 package findings;/m);
    expect(r.code & 8).toBe(8);
  });

  it('json: counted in summary.packages.untested, with the record among the findings', () => {
    const r = scan('--format', 'json');
    const doc = JSON.parse(r.stdout);
    expect(doc.summary.packages.untested).toBe(1);
    expect(doc.summary.clean).toBe(false);
    expect(doc.findings.filter((f: { status: string }) => f.status === 'untested')).toMatchObject([
      { path: '/var/lib/dpkg', status: 'untested', source: 'dpkg', untested: { 'package-check': expect.stringMatching(/timeout/) } },
    ]);
    expect(r.code & 8).toBe(8);
  });

  it('ndjson: the record is written, so the output is never empty for an incomplete scan', () => {
    const r = scan('--format', 'ndjson');
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((f) => [f.path, f.status, f.source])).toContainEqual(['/var/lib/dpkg', 'untested', 'dpkg']);
    expect(r.code & 8).toBe(8);
  });
});
