/**
 * Attack (intruder): a sparse rpmdb.sqlite-wal of terabytes in the image
 * (a few KiB on its disk). rpm is given a private copy of the database, and
 * the copy wrote every byte of it into the scanning host's temporary
 * directory (often a tmpfs: its memory), with no timeout to stop it. The copy
 * is now capped: past it the package half is reported not done, with the
 * reason, and nothing is left behind. The same with dpkg, whose database
 * files are read whole: a sparse info/*.list of gigabytes took as much memory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rpmInRoot,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-sparse-keys-'), 'k'));
});

describe('a sparse rpm database file far over any real size', () => {
  it('is not copied: the package check is not done, says why, and leaves no copy', () => {
    const work = tempDir('ds-sparse-rpm-');
    const root = newRpmRoot(work);
    rpmInRoot(root, '-i', '--nodeps', buildRpm(work, {
      name: 'hello', version: '1.0', files: { '/usr/bin/hello': 'hello v1\n' }, filesSection: ['/usr/bin/hello'],
    }));
    const file = path.join(work, 'b.dsb');
    expect(driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.truncateSync(path.join(root, 'var/lib/rpm/rpmdb.sqlite-wal'), 3 * 1024 ** 3);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-sparse-tmp-'));

    const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root], { TMPDIR: tmp });
    expect(r.stdout).toContain(
      'untested    /var/lib/rpm  untested: package-check (cannot copy the rpm database in /var/lib/rpm: ' +
        'rpmdb.sqlite-wal takes the database over 2 GiB (a sparse file?): not copied)  [rpm]',
    );
    expect(r.stdout).toMatch(/# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 1 not checked/);
    expect(r.code).toBe(8);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('dpkg: a sparse info file is not read whole: baseline --packages dpkg exits 24, the scan says the check is not done', () => {
    const work = tempDir('ds-sparse-dpkg-');
    const root = newDpkgRoot(work);
    installDeb(root, buildDeb(work, { name: 'hello', version: '1.0', files: { '/usr/bin/hello': 'hello v1\n' } }));
    const file = path.join(work, 'b.dsb');
    expect(driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', file]).code).toBe(0);
    fs.truncateSync(path.join(root, 'var/lib/dpkg/info/hello.list'), 3 * 1024 ** 3);
    const why = '/var/lib/dpkg/info/hello.list is not read: 3221225472 bytes, over 268435456 bytes (a sparse file?)';

    const b = driftscan(['baseline', '/usr', '--root', root, '--packages', 'dpkg', '--key', keys.key, '-o', path.join(work, 'again.dsb')]);
    expect(b.stderr).toContain(why);
    expect(b.code).toBe(24);
    const r = driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]);
    expect(r.stdout).toContain(`untested    /var/lib/dpkg  untested: package-check (dpkg: ${why})  [dpkg]`);
    expect(r.code).toBe(8);
  });
});
