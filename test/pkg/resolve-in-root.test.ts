/**
 * In-root resolution has chroot semantics: an absolute link target starts at
 * the root, `..` stops at it, and the result says when the kernel (resolving
 * ROOT/path against the host's `/`) would have gone elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { digestInRoot } from '../../src/pkg/check-in-root.js';
import { InRootResolver, locateInRoot, throughDirectories } from '../../src/pkg/resolve-in-root.js';
import { makeTree, tempDir } from '../helpers/tree.js';

function root(): string {
  return makeTree(tempDir('ds-resolve-'), {
    'usr/bin/real': 'x',
    'usr/lib/data': { dir: true },
    'lib': { symlink: 'usr/lib' },
    'abs': { symlink: '/usr/bin/real' },
    'climb': { symlink: '../../../../usr/bin/real' },
    'usr/bin/rel': { symlink: 'real' },
    'loop': { symlink: '/loop' },
    'etc': { symlink: '/etc' },
    'devlink': { symlink: '/dev/null' },
    'fifo': { fifo: true },
  });
}

describe('InRootResolver', () => {
  const r = new InRootResolver(root());

  it('follows relative links like the kernel would (not divergent)', () => {
    expect(r.resolve('/usr/bin/rel')).toEqual({ ok: true, path: '/usr/bin/real', kind: 'file', divergent: false });
    expect(r.resolve('/lib/data')).toEqual({ ok: true, path: '/usr/lib/data', kind: 'dir', divergent: false });
  });

  it('starts an absolute target at the root, and `..` stops at it; both are divergent', () => {
    expect(r.resolve('/abs')).toEqual({ ok: true, path: '/usr/bin/real', kind: 'file', divergent: true });
    expect(r.resolve('/climb')).toEqual({ ok: true, path: '/usr/bin/real', kind: 'file', divergent: true });
  });

  it('reports loops, missing paths and non-directories by errno, never the host\'s files', () => {
    expect(r.resolve('/loop')).toEqual({ ok: false, code: 'ELOOP', divergent: true });
    expect(r.resolve('/etc/passwd')).toEqual({ ok: false, code: 'ELOOP', divergent: true });
    expect(r.resolve('/devlink')).toEqual({ ok: false, code: 'ENOENT', divergent: true });
    expect(r.resolve('/usr/bin/real/x')).toEqual({ ok: false, code: 'ENOTDIR', divergent: false });
  });

  it('leaves a final link alone when asked (as lstat does)', () => {
    expect(r.resolve('/abs', false)).toEqual({ ok: true, path: '/abs', kind: 'symlink', divergent: false });
    expect(r.resolve('/fifo')).toMatchObject({ ok: true, kind: 'fifo' });
  });
});

describe('InRootResolver\'s directories, resolved once', () => {
  it('lstats a directory once however often it is asked about, and still says a link to one is a link', () => {
    const r = new InRootResolver(root());
    const lstat = vi.spyOn(fs, 'lstatSync');
    try {
      for (let i = 0; i < 3; i++) expect(r.resolve('/usr/lib/data', false)).toEqual({ ok: true, path: '/usr/lib/data', kind: 'dir', divergent: false });
      expect(r.resolve('/usr/lib', false)).toEqual({ ok: true, path: '/usr/lib', kind: 'dir', divergent: false });
      expect(r.directory('/usr/lib/data')).toEqual({ ok: true, path: '/usr/lib/data', kind: 'dir', divergent: false });
      // /usr, /usr/lib, /usr/lib/data: once each.
      expect(lstat).toHaveBeenCalledTimes(3);
      expect(r.directory('/lib')).toEqual({ ok: true, path: '/usr/lib', kind: 'dir', divergent: false });
      for (let i = 0; i < 2; i++) expect(r.resolve('/lib', false)).toEqual({ ok: true, path: '/lib', kind: 'symlink', divergent: false });
      expect(r.resolve('/lib/data', false)).toEqual({ ok: true, path: '/usr/lib/data', kind: 'dir', divergent: false });
      expect(r.directory('/usr/bin/real')).toEqual({ ok: false, code: 'ENOTDIR', divergent: false });
      expect(r.resolve('/usr/bin/real', false)).toEqual({ ok: true, path: '/usr/bin/real', kind: 'file', divergent: false });
    } finally {
      lstat.mockRestore();
    }
  });

  it('leads a packaged path through its directories\' links (throughDirectories)', () => {
    const through = throughDirectories(new InRootResolver(root()));
    expect(through('/lib/data/x')).toBe('/usr/lib/data/x');
    expect(through('/usr/lib/data/x')).toBe('/usr/lib/data/x');
    expect(through('/x')).toBe('/x');
    expect(through('/usr/bin/real/x')).toBeUndefined();
    expect(through('/nothing/x')).toBeUndefined();
    expect(through('/usr/..')).toBeUndefined();
    // A final link is left as it is.
    expect(through('/lib')).toBe('/lib');
  });
});

describe('locateInRoot', () => {
  it('gives the resolved location, undefined when absent, and refuses pseudo filesystems and loops', () => {
    const dir = root();
    fs.mkdirSync(path.join(dir, 'proc'));
    fs.symlinkSync('/proc', path.join(dir, 'pdb'));
    expect(locateInRoot(dir, '/lib/data', 'dir')).toBe('/usr/lib/data');
    expect(locateInRoot(dir, '/nothing', 'dir')).toBeUndefined();
    expect(locateInRoot(dir, '/usr/bin/real', 'dir')).toBeUndefined();
    expect(() => locateInRoot(dir, '/pdb', 'dir')).toThrow(/leads to \/proc, a pseudo filesystem/);
    expect(() => locateInRoot(dir, '/loop', 'dir')).toThrow(/ELOOP/);
  });
});

describe('digestInRoot (triage\'s lookup of a file\'s current digest)', () => {
  it('follows directory links inside the root, never a final link, never into /proc', () => {
    const dir = makeTree(tempDir('ds-digest-in-root-'), {
      'elsewhere/file': 'inside the root\n',
      'usr/share/up': { symlink: '/elsewhere' },
      'usr/share/proc': { symlink: '/proc' },
      'proc/version': 'not read\n',
      'usr/share/leaf': { symlink: '/elsewhere/file' },
    });
    expect(digestInRoot(dir, '/usr/share/up/file', 'md5')).toBe(createHash('md5').update('inside the root\n').digest('hex'));
    expect(digestInRoot(dir, '/usr/share/leaf', 'md5')).toBeUndefined();
    expect(digestInRoot(dir, '/usr/share/proc/version', 'md5')).toBeUndefined();
    expect(digestInRoot(dir, '/usr/share/none', 'md5')).toBeUndefined();
  });
});
