/**
 * Permission denied, as an unprivileged user: unreadable files and
 * directories are untested ('?'), the scan goes on, the summary counts them,
 * and the exit code has bit 8 (never 0).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

const NOBODY = 65534;
let work: string;
let tree: string;
let file: string;
let pub: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir(), {
    'srv/secret': 'root only\n', 'srv/open': 'anyone\n', 'srv/closed/inner': 'hidden\n', 'srv/closed/sub/deeper': 'x',
  });
  fs.chmodSync(at(tree, 'srv/secret'), 0o600);
  fs.chmodSync(at(tree, 'srv/closed'), 0o700);
  expect(driftscan(['keygen', '--out', path.join(work, 'k')]).code).toBe(0);
  // keygen's directory is 0700; nobody reads the public key from a copy.
  pub = path.join(work, 'op.pub');
  fs.copyFileSync(path.join(work, 'k/driftscan.pub'), pub);
  file = path.join(work, 'root.dsb');
  // Taken by root: everything readable and recorded; --mode 0644 so nobody may read it (baselines are 0600 by default).
  expect(driftscan(['baseline', '/', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', file, '--packages', 'none', '--mode', '0644']).code).toBe(0);
});

describe('permission denied', () => {
  it('scan as nobody: the unreadable file and directory are untested, the rest compared, exit 8', () => {
    for (const format of ['text', 'json'] as const) {
      const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '--format', format], {}, NOBODY);
      expect(r.code, r.stderr).toBe(8);
      if (format === 'text') {
        expect(r.stdout.split('\n').filter(Boolean)).toEqual([
          '.........    /srv/closed  untested: contents (EACCES: contents could not be listed)',
          'untested    /srv/closed/inner  untested: contents (EACCES: parent directory could not be listed)',
          'untested    /srv/closed/sub  untested: contents (EACCES: parent directory could not be listed)',
          'untested    /srv/closed/sub/deeper  untested: contents (EACCES: parent directory could not be listed)',
          '..?......    /srv/secret  untested: sha256 (EACCES), xxh64 (EACCES)',
          '# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 5 not checked, 0 package findings; 14 entries compared',
        ]);
      } else {
        const doc = JSON.parse(r.stdout);
        expect(doc.summary).toMatchObject({ untested: 5, missing: 0, changed: 0, clean: false });
      }
    }
  });

  it('a baseline taken as nobody, scanned as root: what the baseline could not read is never clean', () => {
    const dir = tempDir();
    fs.chownSync(dir, NOBODY, NOBODY);
    const home = path.join(dir, 'keys');
    const out = path.join(dir, 'nobody.dsb');
    const b = driftscan(['baseline', '/', '--root', tree, '-o', out, '--packages', 'none'], { DRIFTSCAN_HOME: home }, NOBODY);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('could not list /srv/closed; nothing below it is in the baseline');
    const r = driftscan(['scan', out, '--root', tree, '--packages', 'none'], { DRIFTSCAN_HOME: home });
    expect(r.stdout).toContain('..?......    /srv/secret  untested: sha256 (baseline: EACCES), xxh64 (baseline: EACCES)');
    expect(r.stdout).toMatch(/^# driftscan: NOT clean/m);
    expect(r.code & 8).toBe(8);
  });
});
