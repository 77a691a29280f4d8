/** Every attribute recorded correctly, on a real tree. */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, makeTree, systemTree, tempDir } from '../helpers/tree.js';
import { takeBaseline, baselineFile } from '../helpers/lib.js';
import type { Baseline, Entry } from '../../src/types.js';
import { createHash } from 'node:crypto';

let tree: string;
let baseline: Baseline;
const byPath = (p: string): Entry => {
  const key = Buffer.from(p.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('latin1');
  const e = baseline.entries.find((x) => x.path === key);
  if (!e) throw new Error(`no entry ${p}`);
  return e;
};

beforeAll(async () => {
  tree = systemTree(tempDir(), {
    'usr/bin/su': 'setuid program\n',
    'usr/bin/ping': 'needs raw sockets\n',
    'usr/bin/hard1': 'same inode\n',
    'usr/bin/hard2': { link: 'usr/bin/hard1' },
    'usr/bin/sh': { symlink: 'dash' },
    'srv/fifo': { fifo: true },
    'srv/null': { chardev: [1, 3] },
    'srv/loop9': { blockdev: [7, 9] },
    'srv/bad\\xffname': 'not utf-8\n',
    'srv/new\nline': 'newline in name\n',
    'srv/owned': 'owned by alice\n',
    'srv/orphan': 'owned by an id with no name\n',
  });
  fs.chmodSync(at(tree, 'usr/bin/su'), 0o4755);
  execFileSync('setcap', ['cap_net_raw+ep', at(tree, 'usr/bin/ping').toString()]);
  execFileSync('setfattr', ['-n', 'user.note', '-v', 'hello', at(tree, 'srv/owned').toString()]);
  fs.chownSync(at(tree, 'srv/owned'), 1500, 1500);
  fs.chownSync(at(tree, 'srv/orphan'), 4242, 4343);
  fs.utimesSync(at(tree, 'srv/owned'), 1_600_000_000, 1_600_000_000.123456);
  baseline = await takeBaseline(tree, baselineFile(tempDir()));
});

describe('baseline records', () => {
  it('regular files: size, mode, digests matching sha256sum', () => {
    const ls = byPath('/usr/bin/ls');
    const content = fs.readFileSync(at(tree, 'usr/bin/ls'));
    expect(ls.kind).toBe('file');
    expect(ls.attrs.size).toBe(content.length);
    expect(ls.attrs.mode).toBe(0o644);
    expect(ls.attrs.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(ls.attrs.xxh64).toMatch(/^[0-9a-f]{16}$/);
  });

  it('setuid bit in mode', () => {
    expect(byPath('/usr/bin/su').attrs.mode).toBe(0o4755);
  });

  it('capabilities decoded as getcap prints them', () => {
    expect(byPath('/usr/bin/ping').attrs.caps).toBe('cap_net_raw=ep');
    expect(byPath('/usr/bin/ls').attrs.caps).toBeNull();
  });

  it('other extended attributes', () => {
    expect(byPath('/srv/owned').attrs.xattrs).toEqual({ 'user.note': Buffer.from('hello').toString('hex') });
  });

  it('owner and group names from the tree\'s own /etc files, ids with no name as null', () => {
    expect(byPath('/srv/owned').attrs).toMatchObject({ uid: 1500, owner: 'alice', gid: 1500, group: 'alice' });
    expect(byPath('/srv/orphan').attrs).toMatchObject({ uid: 4242, owner: null, gid: 4343, group: null });
  });

  it('mtime with nanoseconds, ctime and inode', () => {
    const owned = byPath('/srv/owned');
    expect(owned.attrs.mtime).toEqual([1_600_000_000, 123456000]);
    const st = fs.lstatSync(at(tree, 'srv/owned'), { bigint: true });
    expect(owned.attrs.inode).toBe(Number(st.ino));
    expect(owned.attrs.ctime).toEqual([Number(st.ctimeNs / 1_000_000_000n), Number(st.ctimeNs % 1_000_000_000n)]);
  });

  it('hard links share an inode and count two links', () => {
    const a = byPath('/usr/bin/hard1');
    const b = byPath('/usr/bin/hard2');
    expect(a.attrs.inode).toBe(b.attrs.inode);
    expect(a.attrs.nlink).toBe(2);
  });

  it('symlinks: target, no digest, not followed', () => {
    const sh = byPath('/usr/bin/sh');
    expect(sh.kind).toBe('symlink');
    expect(sh.attrs.target).toBe('dash');
    expect(sh.attrs.sha256).toBeUndefined();
  });

  it('FIFOs and device nodes: type and device numbers, never opened', () => {
    expect(byPath('/srv/fifo').kind).toBe('fifo');
    expect(byPath('/srv/fifo').attrs.sha256).toBeUndefined();
    expect(byPath('/srv/null')).toMatchObject({ kind: 'chardev', attrs: { rdev: [1, 3] } });
    expect(byPath('/srv/loop9')).toMatchObject({ kind: 'blockdev', attrs: { rdev: [7, 9] } });
  });

  it('non-UTF-8 and newline names keep their bytes', () => {
    expect(byPath('/srv/bad\\xffname').attrs.size).toBe(10);
    expect(byPath('/srv/new\nline').attrs.size).toBe(16);
  });

  it('configuration files are marked by the policy', () => {
    expect(byPath('/etc/ssh/sshd_config').config).toBe(true);
    expect(byPath('/usr/bin/ls').config).toBeUndefined();
  });

  it('entries are sorted by path bytes', () => {
    const paths = baseline.entries.map((e) => Buffer.from(e.path, 'latin1'));
    for (let i = 1; i < paths.length; i++) expect(Buffer.compare(paths[i - 1]!, paths[i]!)).toBe(-1);
  });

  it('header records the root, policy and attribute set', () => {
    expect(baseline.header).toMatchObject({ format: 2, host: 'testhost', root: tree, created: '2023-11-14T22:13:20.000Z' });
    expect(baseline.header.attrs).toEqual(expect.arrayContaining(['sha256', 'xxh64', 'caps', 'rdev', 'target']));
    expect(baseline.header.policy).toContain('include /');
  });
});

describe('attributes that cannot be read during the walk', () => {
  it('are left out of attrs and marked untested, the rest stay in registry order and survive the file', async () => {
    const { realFs } = await import('../../src/walk/fsport.js');
    const { takeSnapshot } = await import('../../src/snapshot/snapshot.js');
    const { treePolicy } = await import('../helpers/lib.js');
    const { packEntries, EntryUnpacker } = await import('../../src/baseline/codec-entries.js');
    const { RowsReader } = await import('../../src/baseline/rows-reader.js');
    const { ATTRIBUTES } = await import('../../src/attrs/registry.js');
    const t = systemTree(tempDir(), { 'usr/bin/tool': 'x\n', 'usr/bin/link': { symlink: 'tool' } });
    // With no xattrs at all the walk knows from the lstat's list size and never asks.
    execFileSync('setfattr', ['-n', 'user.note', '-v', 'hello', at(t, 'usr/bin/tool').toString()]);
    const failing = {
      ...realFs,
      lxattrs: (p: Buffer) => (p.toString('latin1').endsWith('/usr/bin/tool') ? 'EACCES' : realFs.lxattrs(p)),
      // The xattrs of a listed child are read with the listing: its failure is the listing's.
      readDirectory: (p: Buffer, dev: number, ino: number, skip: number) => {
        const listed = realFs.readDirectory!(p, dev, ino, skip);
        if (typeof listed !== 'string') {
          listed.paths.forEach((child, i) => {
            const st = listed.stats[i]!;
            if (child.endsWith('/usr/bin/tool') && typeof st !== 'string') st.xattrs = 'EACCES';
          });
        }
        return listed;
      },
      readlink: (p: Buffer) => {
        if (p.toString('latin1').endsWith('/usr/bin/link')) throw Object.assign(new Error('readlink'), { code: 'EIO' });
        return realFs.readlink(p);
      },
    };
    const snap = await takeSnapshot({ root: t, policy: treePolicy(), jobs: 1, fs: failing });
    const tool = snap.entries.find((e) => e.path === '/usr/bin/tool')!;
    const link = snap.entries.find((e) => e.path === '/usr/bin/link')!;
    expect(tool.untested).toEqual({ caps: 'EACCES', xattrs: 'EACCES' });
    expect('xattrs' in tool.attrs || 'caps' in tool.attrs).toBe(false);
    expect(tool.attrs.sha256).toBe(createHash('sha256').update('x\n').digest('hex'));
    expect(link.untested).toEqual({ target: 'EIO' });
    expect('target' in link.attrs).toBe(false);
    const order = ATTRIBUTES.map((row) => row.name);
    for (const e of [tool, link]) {
      const names = Object.keys(e.attrs);
      expect(names).toEqual([...names].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    }
    const parts: Buffer[] = [];
    packEntries([link, tool], (b) => parts.push(Buffer.from(b)));
    const r = new RowsReader(Buffer.concat(parts), () => new Error('fault'));
    const unpacker = new EntryUnpacker();
    expect([unpacker.read(r), unpacker.read(r), r.done]).toEqual([link, tool, true]);
  });
});
