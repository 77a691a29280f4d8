/**
 * A packaged path is resolved inside the root, then read by its full path.
 * An intruder who swaps a directory on that path for a link out of the root
 * in between makes the lstat that gives the inode to check go through the
 * link too, so the inode check agrees with the outside file. The read must
 * refuse the link itself: no symlink anywhere on the path (ELOOP), and the
 * outside file's content never digested. (Found by this session's attacker in
 * the dpkg md5 reads, md5-source.ts, and the older digestInRoot.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { digestOfFile } from '../../src/pkg/read-in-root.js';
import { hashFile } from '../../src/hash/run-batch.js';
import { md5InRoot } from '../../src/pkg/md5-source.js';

let root: string;
let outside: string;

beforeAll(() => {
  root = tempDir();
  outside = tempDir();
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/tool'), 'in the root\n');
  fs.mkdirSync(path.join(outside, 'bin'));
  fs.writeFileSync(path.join(outside, 'bin/tool'), 'HOST SECRET\n');
  // The state after the swap: the in-root directory is now a link out of the root.
  fs.renameSync(path.join(root, 'usr/bin'), path.join(root, 'usr/bin.real'));
  fs.symlinkSync(path.join(outside, 'bin'), path.join(root, 'usr/bin'));
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('a directory swapped for a link out of the root between resolving and reading', () => {
  it('the hasher refuses the link on the way even when the inode it checks was looked up through it', () => {
    const full = path.join(root, 'usr/bin/tool');
    const st = fs.lstatSync(full); // through the link: the outside file's inode
    expect(st.ino).toBe(fs.lstatSync(path.join(outside, 'bin/tool')).ino);
    const r = hashFile({ path: full, ino: st.ino, dev: st.dev, size: st.size, algos: ['md5'] });
    expect(r).toEqual({ error: 'ELOOP' });
  });

  it('the package checks\' one-file read and their pool both give an error, never the outside digest', async () => {
    const one = digestOfFile(Buffer.from(path.join(root, 'usr/bin/tool')), 'md5');
    expect(one).toEqual({ error: 'ELOOP' });
    const many = await md5InRoot(root, Array.from({ length: 70 }, (_, i) => (i === 0 ? '/usr/bin/tool' : `/usr/bin.real/none-${i}`)));
    expect(many.get('/usr/bin/tool')).toEqual({ error: 'ELOOP' });
    expect(JSON.stringify([...many.values()])).not.toContain(md5('HOST SECRET\n'));
  });

  it('the same file read through a path with no link is read', () => {
    const r = digestOfFile(Buffer.from(path.join(root, 'usr/bin.real/tool')), 'md5');
    expect(r).toEqual({ digest: md5('in the root\n') });
  });
});
