/**
 * Attack (intruder): trojan a packaged file the policy does not walk and write
 * its md5 into the package's md5sums, leaving the version alone. dpkg --verify
 * then agrees with the trojan. The recorded digest that changed while the
 * package did not is a finding. A scan skips going through the ~100,000
 * recorded digests one by one only when every database file has the digest
 * the baseline recorded, digests taken of the very bytes parsed: here the
 * md5sums file changed, so the edit is found; an untouched root stays clean.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-md5edit-keys-'), 'k'));
});

function rootAndBaseline(): { root: string; file: string } {
  const work = tempDir('ds-md5edit-');
  const root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'image\n');
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files: { '/srv/app/run': 'app v1\n', '/srv/app/lib': 'lib\n' } }));
  const file = path.join(work, 'b.dsb');
  const r = driftscan(['baseline', '--root', root, '--key', keys.key, '-o', file]);
  expect(r.code, r.stderr).toBe(0);
  return { root, file };
}

const scan = (file: string, root: string) => driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);

describe('an md5sums line rewritten for a trojan, the version unchanged', () => {
  it('is a finding on the recorded digest; the same root untouched is clean', () => {
    const { root, file } = rootAndBaseline();
    const clean = scan(file, root);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    const trojan = 'app v1 with a trojan\n';
    fs.writeFileSync(path.join(root, 'srv/app/run'), trojan);
    const sums = path.join(root, 'var/lib/dpkg/info/app.md5sums');
    const md5 = crypto.createHash('md5').update(trojan).digest('hex');
    fs.writeFileSync(sums, fs.readFileSync(sums, 'latin1').replace(/^[0-9a-f]{32}(?= {2}srv\/app\/run$)/m, md5), 'latin1');
    const r = scan(file, root);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/^changed {5}\/srv\/app\/run {2}the package database records a different digest for this file although app did not change version: the database may have been edited to hide a change {2}\[dpkg app unexplained\]$/m);
    expect(r.stdout).toMatch(/\/var\/lib\/dpkg\/info\/app\.md5sums/);
  });
});
