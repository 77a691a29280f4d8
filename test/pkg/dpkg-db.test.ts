import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDpkgFiles, type ParsedDigests } from '../../src/pkg/dpkg-db.js';
import { detectManagers } from '../../src/pkg/index.js';
import { tempDir } from '../helpers/tree.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A dpkg database written by hand, for the cases a real install is slow to stage. */
function fakeRoot(files: Record<string, string | Buffer>): string {
  const root = tempDir('driftscan-dpkgdb-');
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const H1 = '1'.repeat(32);
const H2 = '2'.repeat(32);
const H3 = '3'.repeat(32);

describe('readDpkgFiles', () => {
  it('takes conffile md5s from status, including paths with spaces and obsolete flags', async () => {
    const root = fakeRoot({
      'var/lib/dpkg/status':
        'Package: a\nStatus: install ok installed\nConffiles:\n /etc/a b.conf ' + H1 + '\n /etc/old ' + H2 + ' obsolete\n /etc/new newconffile\nDescription: x\n',
      'var/lib/dpkg/info/a.list': '/.\n/etc\n/etc/a b.conf\n/etc/old\n/etc/new\n',
    });
    expect(await readDpkgFiles(root, '/var/lib/dpkg')).toEqual({
      '/etc': { pkg: 'a' },
      '/etc/a b.conf': { pkg: 'a', digest: H1, algo: 'md5' },
      '/etc/old': { pkg: 'a', digest: H2, algo: 'md5' },
      '/etc/new': { pkg: 'a' },
    });
  });

  it('places a diverted file of another package at its new name, with multi-arch owner names', async () => {
    const root = fakeRoot({
      'var/lib/dpkg/status': 'Package: x\n',
      'var/lib/dpkg/diversions': '/usr/bin/tool\n/usr/bin/tool.distrib\nwrapper\n',
      'var/lib/dpkg/info/orig:amd64.list': '/usr/bin/tool\n',
      'var/lib/dpkg/info/orig:amd64.md5sums': `${H1}  usr/bin/tool\n`,
      'var/lib/dpkg/info/wrapper.list': '/usr/bin/tool\n',
      'var/lib/dpkg/info/wrapper.md5sums': `${H2}  usr/bin/tool\n`,
      'var/lib/dpkg/info/latin.list': Buffer.from('/opt/caf\xe9\n', 'latin1'),
      'var/lib/dpkg/info/latin.md5sums': Buffer.from(`${H3}  opt/caf\xe9\n`, 'latin1'),
    });
    expect(await readDpkgFiles(root, '/var/lib/dpkg')).toEqual({
      '/usr/bin/tool.distrib': { pkg: 'orig:amd64', digest: H1, algo: 'md5' },
      '/usr/bin/tool': { pkg: 'wrapper', digest: H2, algo: 'md5' },
      '/opt/caf\xe9': { pkg: 'latin', digest: H3, algo: 'md5' },
    });
  });
  it('takes only "<32 hex>  <path>" md5sums lines, lowercased, with empty lines and a missing last newline', async () => {
    const upper = 'ABCDEF0123456789'.repeat(2);
    const root = fakeRoot({
      'var/lib/dpkg/status': 'Package: p\n',
      'var/lib/dpkg/info/p.list': '/usr/a\n\n/usr/b\n/usr/c\n/usr/d\n/usr/e\n/usr/f g\n/usr/h\r\n/usr/last',
      'var/lib/dpkg/info/p.md5sums': [
        `${upper}  usr/a`,
        '',
        `${H1.slice(1)}  usr/b`, // 31 digits
        `${H1} usr/c`, // one space
        `${H1.slice(1)}g  usr/d`, // not hex
        `${H1.slice(1)}\x11  usr/e`, // a control character is no digit either
        `${H2}  usr/f g`,
        `${H3}  usr/h\r`,
        `${H1}  usr/last`,
      ].join('\n'),
    });
    expect(await readDpkgFiles(root, '/var/lib/dpkg')).toEqual({
      '/usr/a': { pkg: 'p', digest: upper.toLowerCase(), algo: 'md5' },
      '/usr/b': { pkg: 'p' },
      '/usr/c': { pkg: 'p' },
      '/usr/d': { pkg: 'p' },
      '/usr/e': { pkg: 'p' },
      '/usr/f g': { pkg: 'p', digest: H2, algo: 'md5' },
      '/usr/h\r': { pkg: 'p', digest: H3, algo: 'md5' },
      '/usr/last': { pkg: 'p', digest: H1, algo: 'md5' },
    });
  });
});

describe('the database digests of what readDpkgFiles parsed', () => {
  it('are the sha256 of the very bytes each parsed file held, Latin-1 bytes included', async () => {
    const root = fakeRoot({
      'var/lib/dpkg/status': 'Package: a\nStatus: install ok installed\nConffiles:\n /etc/a ' + H1 + '\n',
      'var/lib/dpkg/diversions': '/usr/bin/t\n/usr/bin/t.real\nb\n',
      'var/lib/dpkg/info/a.list': Buffer.from('/etc/a\n/opt/caf\xe9\n', 'latin1'),
      'var/lib/dpkg/info/a.md5sums': Buffer.from(`${H2}  opt/caf\xe9\n`, 'latin1'),
      'var/lib/dpkg/info/a.conffiles': '/etc/a\n',
    });
    const digests: ParsedDigests = new Map();
    await readDpkgFiles(root, '/var/lib/dpkg', undefined, undefined, digests);
    const sha = (rel: string) => createHash('sha256').update(readFileSync(join(root, rel))).digest('hex');
    expect(Object.fromEntries(digests)).toEqual(Object.fromEntries(
      ['status', 'diversions', 'info/a.list', 'info/a.md5sums'].map((n) => [`/var/lib/dpkg/${n}`, sha(`var/lib/dpkg/${n}`)]),
    ));
  });
});

describe('detectManagers', () => {
  it('needs a non-empty database file', () => {
    expect(detectManagers(fakeRoot({ 'var/lib/dpkg/status': '', 'var/lib/rpm/rpmdb.sqlite': '' }))).toEqual([]);
    expect(detectManagers(fakeRoot({ 'var/lib/dpkg/status': 'Package: a\n', 'var/lib/rpm/Packages': 'x' }))).toEqual(['rpm', 'dpkg']);
  });
});
