/**
 * driftscan's own dpkg verify takes a packaged file's md5 from the baseline
 * when the walk reads the sha256 the baseline recorded beside it. Attacks on
 * that shortcut, each with the real dpkg building and installing the root:
 * - a file changed after the baseline, same size and mtime: its sha256
 *   differs, so its md5 is read again, and dpkg's finding is there;
 * - the md5 record forged in the baseline to match a trojan: the record is
 *   inside the signed body, so the baseline is refused;
 * - a packaged directory turned into a link out of the root: the path is
 *   resolved inside the root, never against the scanning host's files.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBaseline } from '../../src/baseline/load.js';
import { seal } from '../../src/baseline/sealed.js';
import { readPackageData, verifyPackages } from '../../src/pkg/index.js';
import { buildDeb, hash, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-md5rec-keys-'), 'k'));
});

function rootWithBaseline(files: Record<string, string>): { root: string; file: string } {
  const work = tempDir('ds-md5rec-');
  const root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files }));
  const file = path.join(work, 'b.dsb');
  const r = driftscan(['baseline', '/', '--root', root, '--key', keys.key, '-o', file]);
  expect(r.code, r.stderr).toBe(0);
  return { root, file };
}

const dpkgLines = (stdout: string) => stdout.split('\n').filter((l) => /\[dpkg /.test(l));

describe('the md5 recorded in the baseline', () => {
  it('is recorded for a packaged file, and a file changed after it (same size, same mtime) is read again', () => {
    const { root, file } = rootWithBaseline({ '/usr/bin/app': 'app v1\n' });
    const pub = createPublicKey(fs.readFileSync(keys.pub));
    expect(loadBaseline(file, pub).packages!.contentMd5!['/usr/bin/app']).toEqual({ md5: hash('md5', 'app v1\n'), sha256: hash('sha256', 'app v1\n') });
    const at = path.join(root, 'usr/bin/app');
    const { mtime } = fs.statSync(at);
    fs.writeFileSync(at, 'app v2\n');
    fs.utimesSync(at, mtime, mtime);
    const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);
    expect(dpkgLines(r.stdout).join('\n')).toMatch(/^\?\?5\?\?\?\?\?\? {4}\/usr\/bin\/app .*\[dpkg app /m);
    expect(r.code & 4).toBe(4);
  });

  it('cannot be forged to hide a trojan: it is signed with the rest of the baseline', () => {
    const { root, file } = rootWithBaseline({ '/usr/bin/app': 'app v1\n' });
    const pub = createPublicKey(fs.readFileSync(keys.pub));
    const baseline = loadBaseline(file, pub);
    // The trojan's sha256 paired with the package's md5: a scan trusting it would call the trojan dpkg-clean.
    baseline.packages!.contentMd5!['/usr/bin/app'] = { sha256: hash('sha256', 'trojan\n'), md5: hash('md5', 'app v1\n') };
    fs.writeFileSync(file, seal(baseline, generateKeyPairSync('ed25519').privateKey));
    fs.writeFileSync(path.join(root, 'usr/bin/app'), 'trojan\n');
    const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);
    expect(r.code).toBe(19);
    expect(r.stdout).not.toMatch(/clean/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/signature/i);
  });

  it('a packaged directory turned into a link out of the root is followed inside the root', async () => {
    // The package ships the host's own /etc/hostname text; the root's /etc/hostname differs.
    const host = fs.readFileSync('/etc/hostname', 'latin1');
    const { root } = rootWithBaseline({ '/opt/pk/hostname': host });
    fs.writeFileSync(path.join(root, 'etc/hostname'), `not ${host}`);
    fs.rmSync(path.join(root, 'opt/pk'), { recursive: true });
    fs.symlinkSync('/etc', path.join(root, 'opt/pk'));
    const data = await readPackageData(root, 'dpkg');
    const r = await verifyPackages(root, 'dpkg', data);
    // Through the host's /etc it would match; inside the root it does not.
    expect(r.findings.map((f) => `${f.flags} ${f.path}`)).toEqual(['??5?????? /opt/pk/hostname']);
  });
});
