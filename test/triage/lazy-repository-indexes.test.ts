/**
 * The repositories' indexes are read for the package names triage asks
 * about, and only when it asks: real index files in a root's
 * /var/lib/apt/lists and dnf cache, read by the readers a scan uses.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readAptLists } from '../../src/pkg/apt-lists.js';
import { readRpmRepodata } from '../../src/pkg/rpm-repodata.js';
import { tempDir } from '../helpers/tree.js';

const LISTS = 'var/lib/apt/lists';
const HEAD = 'apt index not read, the versions it offers are not known: /var/lib/apt/lists/';

function aptRoot(indexes: Record<string, string | Buffer>): string {
  const r = tempDir('ds-lazy-apt-');
  fs.mkdirSync(path.join(r, LISTS), { recursive: true });
  for (const [name, text] of Object.entries(indexes)) fs.writeFileSync(path.join(r, LISTS, name), text);
  return r;
}

const offered = (r: string, asked: string[], unread: string[] = []) =>
  [...readAptLists(r, new Set(asked), unread)].map(([n, v]) => [n, [...v].sort()]).sort();

describe('apt indexes, read for the names asked', () => {
  it('find a stanza whose Version comes before its Package, and a last stanza with no newline after it', () => {
    const r = aptRoot({
      'x_Packages': [
        'Package: zlib1g', 'Version: 1:1.2.13', 'Architecture: amd64', '',
        'Architecture: all', 'Version: 2.0-1', 'Description: Version before Package', 'Package: hello', '',
        'Package: other', 'Version: 7', 'Architecture: all', '',
        'Package: newd', 'Architecture: all', 'Version: 1.0',
      ].join('\n'),
    });
    const unread: string[] = [];
    expect(offered(r, ['hello', 'newd', 'zlib1g'], unread)).toEqual([['hello', ['2.0-1']], ['newd', ['1.0']], ['zlib1g', ['1:1.2.13']]]);
    expect(unread).toEqual([]);
    // Names not asked about are not kept.
    expect(offered(r, ['newd'])).toEqual([['newd', ['1.0']]]);
    expect(offered(r, ['absent'])).toEqual([]);
  });

  it('collect a name offered by several sources and stanzas; a CRLF index reads as the LF one', () => {
    const crlf = 'Package: hello\r\nVersion: 1.0\r\nArchitecture: all\r\n\r\nPackage: hello\r\nVersion: 1.1\r\nArchitecture: all\r\n';
    const r = aptRoot({ 'a_Packages': crlf, 'b_Packages': 'Package: hello\nVersion: 1.2\nArchitecture: all\n' });
    expect(offered(r, ['hello'])).toEqual([['hello', ['1.0', '1.1', '1.2']]]);
  });

  it('read nothing when nothing is asked: a corrupt index then gives no diagnostic', () => {
    const r = aptRoot({});
    const file = path.join(r, LISTS, 'l_Packages');
    fs.writeFileSync(file, 'Package: c\nVersion: 1\n'.repeat(50));
    execFileSync('lz4', ['-q', '-m', '--rm', file]);
    const bytes = fs.readFileSync(`${file}.lz4`);
    bytes[bytes.length - 1] ^= 0xff; // the content checksum
    fs.writeFileSync(`${file}.lz4`, bytes);
    const quiet: string[] = [];
    expect(offered(r, [], quiet)).toEqual([]);
    expect(quiet).toEqual([]);
    const asked: string[] = [];
    expect(offered(r, ['c'], asked)).toEqual([]);
    expect(asked).toEqual([`${HEAD}l_Packages.lz4 (lz4: content checksum mismatch)`]);
  });

  it('an index apt refuses (a stanza with no Package) offers nothing, not even the stanzas before the fault, and is named', () => {
    const r = aptRoot({
      'bad_Packages': 'Package: hello\nVersion: 1.1\nArchitecture: all\n\nVersion: 2\nArchitecture: all\n',
      'good_Packages': 'Package: hello\nVersion: 1.0\nArchitecture: all\n',
    });
    const unread: string[] = [];
    expect(offered(r, ['hello'], unread)).toEqual([['hello', ['1.0']]]);
    expect(unread).toEqual([`${HEAD}bad_Packages (apt cannot parse it: a stanza with no Package field starts at byte 47)`]);
  });
});

describe('dnf metadata, read for the names asked', () => {
  function rpmRoot(): string {
    const r = tempDir('ds-lazy-rpm-');
    const repodata = path.join(r, 'var/cache/dnf/updates-0123/repodata');
    fs.mkdirSync(repodata, { recursive: true });
    const pkg = (name: string, epoch: string, ver: string) =>
      `<package type="rpm"><name>${name}</name><arch>noarch</arch><version epoch="${epoch}" ver="${ver}" rel="1"/></package>\n`;
    fs.writeFileSync(path.join(repodata, 'aaaa-primary.xml.gz'),
      gzipSync(`<?xml version="1.0"?>\n<metadata packages="3">\n${pkg('rpmd', '0', '1.1')}${pkg('rpmd', '2', '1.2')}${pkg('other', '0', '9')}</metadata>\n`));
    return r;
  }
  const rpmOffered = (r: string, asked: string[]) => {
    const got = readRpmRepodata(r, new Set(asked));
    return got && [...got].map(([n, v]) => [n, [...v].sort()]);
  };

  it('keep the versions of the names asked; a readable file without them is "offers none", not "not checked"', () => {
    const r = rpmRoot();
    expect(rpmOffered(r, ['rpmd'])).toEqual([['rpmd', ['1.1-1', '2:1.2-1']]]);
    expect(rpmOffered(r, ['absent'])).toEqual([]);
  });

  it('read nothing when nothing is asked', () => {
    expect(rpmOffered(rpmRoot(), [])).toBeUndefined();
  });
});
