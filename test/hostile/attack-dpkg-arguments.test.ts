/**
 * Attack (intruder): name a file in the root's dpkg database so that its name
 * becomes an option. `dpkg --verify` is split across processes by package, and
 * the names came from info/*.list file names: `--instdir=..list` made dpkg
 * check every package's files under its own working directory (the scanning
 * host's, outside --root) instead of the root's, so a trojan in the root went
 * unseen. Only valid names of installed packages are passed, after `--`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';
import { verifyPackages, readPackageData } from '../../src/pkg/index.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-dpkgargs-keys-'), 'k'));
});

/** Two packages (so the verify is split), app's file trojaned, and an info file named as an option. */
function hostileRoot(): string {
  const work = tempDir('ds-dpkgargs-');
  const root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files: { '/srv/app/run': 'app v1\n' } }));
  installDeb(root, buildDeb(work, { name: 'tool', version: '1.0', files: { '/srv/tool/run': 'tool v1\n' } }));
  fs.writeFileSync(path.join(root, 'srv/app/run'), 'app v1 trojan\n');
  fs.writeFileSync(path.join(root, 'var/lib/dpkg/info/--instdir=..list'), '/srv\n');
  return root;
}

describe('package names from the root never become dpkg options', () => {
  it('verify split in two: the trojan is found, the stray info file is named, nothing else', async () => {
    const root = hostileRoot();
    const after = await readPackageData(root, 'dpkg');
    const r = await verifyPackages(root, 'dpkg', after, { jobs: 2, verifier: 'tool' });
    expect(r.findings.map((f) => `${f.flags} ${f.path}`)).toEqual(['??5?????? /srv/app/run']);
    expect(r.diagnostics).toContain('info/--instdir=..list names no installed package: not passed to dpkg');
    expect(r.incomplete).toBeUndefined();
    // driftscan's own verify runs no dpkg: packages come from the status file, the stray list is never read.
    const native = await verifyPackages(root, 'dpkg', after, { verifier: 'native' });
    expect(native.findings.map((f) => `${f.flags} ${f.path}`)).toEqual(['??5?????? /srv/app/run']);
  });

  it('through the CLI: not clean, with the trojan shown', () => {
    const root = hostileRoot();
    const file = path.join(tempDir('ds-dpkgargs-out-'), 'b.dsb');
    // Baseline of the untouched app file first: the trojan and the stray file come after.
    fs.writeFileSync(path.join(root, 'srv/app/run'), 'app v1\n');
    fs.rmSync(path.join(root, 'var/lib/dpkg/info/--instdir=..list'));
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    expect(driftscan(['baseline', '/etc', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.writeFileSync(path.join(root, 'srv/app/run'), 'app v1 trojan\n');
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/info/--instdir=..list'), '/srv\n');
    const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);
    expect(r.stdout).toMatch(/^\?\?5\?\?\?\?\?\? {4}\/srv\/app\/run {2}outside policy {2}\[dpkg app unexplained\]$/m);
    expect(r.code & 4).toBe(4);
  });

  it('a stray info file named with an escape sequence is named escaped in the report', () => {
    const root = hostileRoot();
    const file = path.join(tempDir('ds-dpkgargs-out-'), 'b.dsb');
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    expect(driftscan(['baseline', '/etc', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/info/x\x1b[2K\r# driftscan: clean.list'), '/srv\n');
    const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root], { DRIFTSCAN_DPKG_VERIFY: 'tool' });
    expect(r.stdout).not.toMatch(/\x1b|\r/);
    expect(r.stdout).toContain('info/x\\x1b[2K\\r# driftscan: clean.list names no installed package');
  });
});
