/** The baseline file: round trip, determinism, and a signature that catches every change. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemTree, tempDir, makeTree } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { openSealed } from '../../src/baseline/sealed.js';

let work: string;
let tree: string;
let file: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir(), { 'srv/bad\\xffname': 'x', 'srv/new\nline': 'y', 'usr/bin/sh': { symlink: 'da\\xfeh' } });
  expect(driftscan(['keygen', '--out', path.join(work, 'k')]).code).toBe(0);
  file = path.join(work, 'a.dsb');
  const r = driftscan(['baseline', '/', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', file]);
  expect(r.stderr).toContain('entries');
  expect(r.code).toBe(0);
});

const pub = () => path.join(work, 'k/driftscan.pub');

describe('keygen', () => {
  it('writes a 0600 private key and refuses to overwrite', () => {
    expect(fs.statSync(path.join(work, 'k/driftscan.key')).mode & 0o777).toBe(0o600);
    const again = driftscan(['keygen', '--out', path.join(work, 'k')]);
    expect(again.code).toBe(21);
    expect(again.stderr).toMatch(/^driftscan: error: .*exists; refusing to overwrite/);
  });
});

describe('baseline file', () => {
  it('verifies with the right key', () => {
    const r = driftscan(['verify', file, '--pubkey', pub()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK .*signature valid/);
  });

  it('round-trips: non-UTF-8 and newline names and link targets keep their bytes', () => {
    const b = openSealed(fs.readFileSync(file), undefined, true);
    const paths = b.entries.map((e) => Buffer.from(e.path, 'latin1'));
    expect(paths).toContainEqual(Buffer.from('/srv/bad\xffname', 'latin1'));
    expect(paths).toContainEqual(Buffer.from('/srv/new\nline', 'latin1'));
    const sh = b.entries.find((e) => e.path === '/usr/bin/sh')!;
    expect(Buffer.from(sh.attrs.target as string, 'latin1')).toEqual(Buffer.from('da\xfeh', 'latin1'));
  });

  it('the same tree gives the same bytes', () => {
    const second = path.join(work, 'b.dsb');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', second]).code).toBe(0);
    expect(fs.readFileSync(second).equals(fs.readFileSync(file))).toBe(true);
  });

  it('a flipped byte anywhere fails verification', () => {
    const original = fs.readFileSync(file);
    const bad = path.join(work, 'flip.dsb');
    const step = Math.max(1, Math.floor(original.length / 40));
    for (let off = 0; off < original.length; off += step) {
      const copy = Buffer.from(original);
      copy[off]! ^= 0x01;
      fs.writeFileSync(bad, copy);
      const r = driftscan(['verify', bad, '--pubkey', pub()]);
      expect([18, 19], `offset ${off}`).toContain(r.code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a truncated file fails as truncated', () => {
    const original = fs.readFileSync(file);
    const bad = path.join(work, 'trunc.dsb');
    for (const len of [0, 7, 16, 100, original.length - 64, original.length - 1]) {
      fs.writeFileSync(bad, original.subarray(0, len));
      const r = driftscan(['verify', bad, '--pubkey', pub()]);
      expect(r.code, `length ${len}`).toBe(18);
      expect(r.stderr).toMatch(/^driftscan: error: (not a driftscan baseline|baseline is truncated)/);
    }
  });

  it('another key fails as a bad signature', () => {
    expect(driftscan(['keygen', '--out', path.join(work, 'other')]).code).toBe(0);
    const r = driftscan(['verify', file, '--pubkey', path.join(work, 'other/driftscan.pub')]);
    expect(r.code).toBe(19);
    expect(r.stderr).toMatch(/signature does not verify/);
  });

  it('refuses to sign with a private key others can read', () => {
    const loose = path.join(work, 'loose');
    fs.mkdirSync(loose);
    fs.copyFileSync(path.join(work, 'k/driftscan.key'), path.join(loose, 'driftscan.key'));
    fs.chmodSync(path.join(loose, 'driftscan.key'), 0o644);
    const r = driftscan(['baseline', '/', '--root', tree, '--key', path.join(loose, 'driftscan.key'), '-o', path.join(work, 'x.dsb')]);
    expect(r.code).toBe(21);
    expect(r.stderr).toMatch(/mode 644; it must be 600/);
    expect(fs.existsSync(path.join(work, 'x.dsb'))).toBe(false);
  });

  it('a start path that does not exist is an error, never an empty baseline', () => {
    const out = path.join(work, 'none.dsb');
    const r = driftscan(['baseline', '/usr/no-such-dir', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', out]);
    expect(r.code).toBe(20);
    expect(r.stderr).toBe(`driftscan: error: /usr/no-such-dir does not exist under ${tree}\n`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('with no key given, creates a default key and says where', () => {
    const home = path.join(work, 'home');
    const out = path.join(work, 'd.dsb');
    const r = driftscan(['baseline', '/', '--root', tree, '-o', out], { DRIFTSCAN_HOME: home });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`created signing key ${home}/driftscan.key`);
    expect(driftscan(['verify', out], { DRIFTSCAN_HOME: home }).code).toBe(0);
  });

  it('show lists entries like find -ls, with digests', () => {
    const r = driftscan(['show', file, '/usr/bin', '--pubkey', pub()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.trim().split(/\s+/)[2])).toEqual(['drwxr-xr-x', '-rw-r--r--', '-rw-r--r--', 'lrwxrwxrwx']);
    expect(lines[1]).toMatch(/ root +root +13 .* \/usr\/bin\/ls  sha256=[0-9a-f]{64}  xxh64=[0-9a-f]{16}$/);
    expect(lines[3]).toMatch(/\/usr\/bin\/sh -> da\\xfeh$/);
  });
});

describe('unreadable files', () => {
  it('are recorded with what could be read, marked untested, and the baseline completes', () => {
    const t = makeTree(tempDir(), { 'etc/passwd': 'root:x:0:0::/:/bin/sh\n', 'srv/secret': 'no peeking\n', 'srv/open': 'fine\n', 'srv/closed/inner': 'x' });
    fs.chmodSync(path.join(t, 'srv/secret'), 0o600);
    fs.chmodSync(path.join(t, 'srv/closed'), 0o700);
    const keyDir = tempDir();
    fs.chownSync(keyDir, 65534, 65534);
    const out = path.join(keyDir, 'n.dsb');
    const r = driftscan(['baseline', '/', '--root', t, '-o', out], { DRIFTSCAN_HOME: path.join(keyDir, 'keys') }, 65534);
    expect(r.stderr).toContain('could not list /srv/closed');
    expect(r.stderr).toContain('1 entries could not be read completely');
    expect(r.code).toBe(0);
    const show = driftscan(['show', out, '/srv'], { DRIFTSCAN_HOME: path.join(keyDir, 'keys') });
    expect(show.stdout).toMatch(/\/srv\/secret  untested: sha256 \(EACCES\), xxh64 \(EACCES\)/);
    expect(show.stdout).toMatch(/\/srv\/open  sha256=/);
    expect(show.stdout).not.toContain('/srv/closed/inner');
  });
});
