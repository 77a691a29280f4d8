/**
 * Taking a baseline and scanning change nothing they read: every path's full
 * lstat (atime included, with atimes old enough that relatime would update
 * them) and every file's content are the same before and after. Symlink
 * atimes are the exception, explained in record().
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

let work: string;
let tree: string;
let paths: Buffer[];

/** Every path under root (root included), listed once before the atimes are set. */
function list(root: Buffer): Buffer[] {
  const out: Buffer[] = [root];
  for (let i = 0; i < out.length; i++) {
    if (!fs.lstatSync(out[i]!).isDirectory()) continue;
    for (const name of fs.readdirSync(out[i]!, { encoding: 'buffer' })) out.push(Buffer.concat([out[i]!, Buffer.from('/'), name]));
  }
  return out;
}

const O_NOATIME = fs.constants.O_NOATIME!;
const OLD = new Date('2001-02-03T04:05:06Z');

/** lstat of each path and the content of each regular file; reads nothing else (no readdir, no atime). */
function record(): string[] {
  return paths.map((p) => {
    const st = fs.lstatSync(p, { bigint: true });
    // Not comparable from user space: readlink(2) always updates a symlink's atime.
    // Directories are listed on an O_NOATIME descriptor (native/fsnative.c), so theirs count.
    const atime = st.isSymbolicLink() ? '-' : st.atimeNs;
    const fields = [st.dev, st.ino, st.mode, st.nlink, st.uid, st.gid, st.rdev, st.size, st.blocks, atime, st.mtimeNs, st.ctimeNs];
    let content = '';
    if (st.isFile()) {
      const fd = fs.openSync(p, fs.constants.O_RDONLY | O_NOATIME | fs.constants.O_NOFOLLOW);
      content = fs.readFileSync(fd).toString('hex');
      fs.closeSync(fd);
    }
    return `${p.toString('latin1')} ${fields.join(' ')} ${content}`;
  });
}

beforeAll(() => {
  work = tempDir();
  expect(driftscan(['keygen', '--out', path.join(work, 'k')]).code).toBe(0);
  tree = systemTree(tempDir(), {
    'srv/data/a': 'alpha\n', 'srv/data/empty': '', 'srv/big': Buffer.alloc(3 << 20, 7), 'srv/link': { symlink: 'data/a' },
    'srv/fifo': { fifo: true }, 'srv/bad\\xffname': 'x', 'var/log/app.log': 'line\n', 'srv/deep/er/still/f': 'deep',
  });
  paths = list(Buffer.from(tree));
  // Old atimes (before mtime and more than a day ago): under relatime any read would update them.
  for (const p of paths) fs.lutimesSync(p, OLD, fs.lstatSync(p).mtime);
});

describe('read-only', () => {
  it('a baseline and a scan leave every lstat field (atime too) and every content unchanged', () => {
    const before = record();
    expect(before.length).toBeGreaterThan(20);
    // The fixture is effective: atimes are old, so relatime would update them on a plain read.
    const atimes = before.map((line) => line.split(' ')[10]!).filter((a) => a !== '-');
    expect(atimes.length).toBeGreaterThan(10);
    expect(atimes.every((a) => a.startsWith('981'))).toBe(true);
    const file = path.join(work, 't.dsb');
    const key = path.join(work, 'k/driftscan.key');
    const pub = path.join(work, 'k/driftscan.pub');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
    const scan = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none']);
    expect(scan.stdout).toMatch(/^# driftscan: clean/m);
    expect(scan.code).toBe(0);
    expect(record()).toEqual(before);
    // Nothing was created in the tree either.
    expect(list(Buffer.from(tree)).map(String)).toEqual(paths.map(String));
  });

  it('a plain read of the same tree does update an atime (the check above can fail)', () => {
    const probe = paths.find((p) => p.toString().endsWith('srv/data/a'))!;
    const before = fs.lstatSync(probe, { bigint: true }).atimeNs;
    fs.readFileSync(at(tree, 'srv/data/a'));
    const after = fs.lstatSync(probe, { bigint: true }).atimeNs;
    expect(after).not.toBe(before);
    fs.lutimesSync(probe, OLD, fs.lstatSync(probe).mtime);
  });
});
