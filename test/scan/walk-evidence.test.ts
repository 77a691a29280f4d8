/** Which package findings the walk can vouch for (preexisting), on hand-made walks. */
import { describe, expect, it } from 'vitest';
import { WalkEvidence } from '../../src/scan/walk-evidence.js';
import { parsePolicy } from '../../src/policy/policy.js';
import type { Entry, Finding } from '../../src/types.js';

const file = (path: string, attrs: Entry['attrs'] = { mode: 0o755, size: 1, sha256: 'a'.repeat(64), mtime: [1, 0] }): Entry => ({ path, kind: 'file', attrs });
const dir = (path: string): Entry => ({ path, kind: 'dir', attrs: { mode: 0o755 } });
const link = (path: string, target: string): Entry => ({ path, kind: 'symlink', attrs: { target } });

const ENTRIES: Entry[] = [
  link('/lib', 'usr/lib'),
  link('/lib64', '/usr/lib'),
  dir('/usr'),
  dir('/usr/bin'),
  file('/usr/bin/ls'),
  file('/usr/bin/nodigest', { mode: 0o755 }),
  link('/usr/bin/out', '../../../etc/passwd'),
  link('/usr/bin/loop', 'loop'),
  dir('/usr/empty'),
  dir('/usr/lib'),
  file('/usr/lib/libc.so'),
  link('/usr/lib/foo', '../../var/lib/foo'),
  dir('/usr/mnt'),
  dir('/usr/share'),
  file('/usr/share/x'),
].sort((a, b) => (a.path < b.path ? -1 : 1));

interface Opts { live?: boolean; findings?: string[]; deltas?: string[]; unlisted?: string[]; sameFs?: boolean; entries?: Entry[]; policy?: string }

function evidence(opts: Opts = {}) {
  const deltas = (opts.deltas ?? ['mode']).map((attr) => ({ attr, old: 1, new: 2 }));
  const findings = new Map((opts.findings ?? []).map((p): [string, Finding] => [p, { path: p, status: 'changed', source: 'baseline', deltas, extra: [], untested: {} }]));
  return new WalkEvidence({
    entries: opts.entries ?? ENTRIES,
    findings,
    unlisted: new Set(opts.unlisted ?? []),
    policy: parsePolicy(opts.policy ?? 'include /lib\ninclude /lib64\ninclude /usr\nexclude /usr/share/doc', 'test'),
    live: opts.live ?? false,
    sameFilesystemAsParent: () => opts.sameFs ?? true,
  });
}

const pkg = (path: string, status: Finding['status'] = 'changed', flags: string | undefined = '??5??????'): Finding => ({
  path, status, source: 'dpkg', flags, deltas: [], extra: [], untested: {},
});

describe('WalkEvidence.vouches', () => {
  it('a walked file without a finding, every flagged letter compared', () => {
    expect(evidence().vouches(pkg('/usr/bin/ls'))).toBe(true);
    expect(evidence().vouches(pkg('/usr/bin/ls', 'changed', 'SM5....T.'))).toBe(true);
    expect(evidence({ findings: ['/usr/bin/ls'] }).vouches(pkg('/usr/bin/ls'))).toBe(false);
  });

  it('not when a flagged letter was not compared (no digest recorded), nor without flags', () => {
    expect(evidence().vouches(pkg('/usr/bin/nodigest'))).toBe(false);
    expect(evidence().vouches(pkg('/usr/bin/nodigest', 'changed', '.M.......'))).toBe(true);
    expect(evidence().vouches({ ...pkg('/usr/bin/ls'), flags: undefined })).toBe(false);
    expect(evidence().vouches(pkg('/usr/bin/ls', 'added'))).toBe(false);
    expect(evidence().vouches(pkg('/usr/bin/ls', 'untested'))).toBe(false);
  });

  it('through symlinks the walk recorded unchanged, relative ones inside the root', () => {
    expect(evidence().vouches(pkg('/lib/libc.so'))).toBe(true);
    expect(evidence({ findings: ['/usr/lib'] }).vouches(pkg('/lib/libc.so'))).toBe(true); // a directory on the way changed
    expect(evidence({ findings: ['/lib'] }).vouches(pkg('/lib/libc.so'))).toBe(false);
    expect(evidence({ findings: ['/usr/lib/libc.so'] }).vouches(pkg('/lib/libc.so'))).toBe(false);
  });

  it('an absolute target points out of a mounted root (the tool follows it there): only a live root vouches', () => {
    expect(evidence().vouches(pkg('/lib64/libc.so'))).toBe(false);
    expect(evidence({ live: true }).vouches(pkg('/lib64/libc.so'))).toBe(true);
  });

  it('never into a tree the walk did not see, out of the root, or round a loop', () => {
    expect(evidence().vouches(pkg('/usr/lib/foo/data'))).toBe(false);
    expect(evidence().vouches(pkg('/usr/lib/foo/data', 'missing'))).toBe(false);
    expect(evidence().vouches(pkg('/usr/bin/out'))).toBe(false);
    expect(evidence().vouches(pkg('/usr/bin/loop'))).toBe(false);
  });

  it('missing: absent then and now from a directory the walk listed', () => {
    expect(evidence().vouches(pkg('/usr/share/gone', 'missing'))).toBe(true);
    expect(evidence().vouches(pkg('/usr/share/gone/deeper/file', 'missing'))).toBe(true);
    // The directory changed: only its times (a file added beside) still vouch; another inode (a mount point gone) does not.
    const share = { entries: ENTRIES.map((e) => (e.path === '/usr/share' ? { ...e, attrs: { ...e.attrs, inode: 7 } } : e)), findings: ['/usr/share'] };
    expect(evidence({ ...share, deltas: ['mtime', 'ctime'] }).vouches(pkg('/usr/share/gone', 'missing'))).toBe(true);
    expect(evidence({ ...share, deltas: ['mtime', 'inode'] }).vouches(pkg('/usr/share/gone', 'missing'))).toBe(false);
    expect(evidence({ findings: ['/usr/share'], deltas: ['mtime'] }).vouches(pkg('/usr/share/gone', 'missing'))).toBe(false); // no inode recorded
    expect(evidence({ findings: ['/usr/share/gone'] }).vouches(pkg('/usr/share/gone', 'missing'))).toBe(false);
    expect(evidence({ unlisted: ['/usr/share'] }).vouches(pkg('/usr/share/gone', 'missing'))).toBe(false);
    expect(evidence().vouches(pkg('/usr/share/doc/x', 'missing'))).toBe(false); // excluded: never walked
    expect(evidence().vouches(pkg('/usr/bin/ls', 'missing'))).toBe(false); // the walk sees it
  });

  it('missing from a directory with nothing recorded below: only when it is on its parent\'s filesystem', () => {
    expect(evidence({ sameFs: true }).vouches(pkg('/usr/empty/gone', 'missing'))).toBe(true);
    expect(evidence({ sameFs: false }).vouches(pkg('/usr/mnt/EFI/grubx64.efi', 'missing'))).toBe(false);
    expect(evidence({ sameFs: false, policy: 'include /usr\ncross-filesystems' }).vouches(pkg('/usr/mnt/EFI/grubx64.efi', 'missing'))).toBe(true);
  });

  it('paths above a start path are directories the walk checked, not absent', () => {
    const walk = evidence({ entries: [dir('/usr/bin'), file('/usr/bin/ls')], policy: 'include /usr/bin' });
    expect(walk.vouches(pkg('/usr/bin/ls'))).toBe(true);
    expect(walk.vouches(pkg('/usr/sbin/x', 'missing'))).toBe(false);
  });
});

describe('WalkEvidence.fileFor', () => {
  it('the walked regular file a package path names, through recorded symlinks', () => {
    expect(evidence().fileFor('/lib/libc.so')?.path).toBe('/usr/lib/libc.so');
    expect(evidence().fileFor('/usr/lib/foo/data')).toBeUndefined();
    expect(evidence().fileFor('/usr/bin')).toBeUndefined();
  });
});
