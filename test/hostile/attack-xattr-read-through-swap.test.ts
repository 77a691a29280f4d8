/**
 * Attack: swap a directory for a symlink out of the root right after the walk
 * listed it. The walk used to read a listed child's xattrs afterwards by its
 * path, which then ran through the symlink: the values recorded for the root's
 * /usr/bin/tool were those of a file outside it (the scanning host's, on a
 * mounted disk). They are now read with the listing, through the directory's
 * open descriptor (/proc/self/fd/N/NAME): the listed directory's own file,
 * whatever its path leads to later.
 */
import { execFileSync } from 'node:child_process';
import { renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realFs, type FsPort } from '../../src/walk/fsport.js';
import { takeSnapshot } from '../../src/snapshot/snapshot.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { treePolicy } from '../helpers/lib.js';

const note = (file: string, value: string) => execFileSync('setfattr', ['-h', '-n', 'user.note', '-v', value, file]);

describe('xattrs of a listed file', () => {
  it('are the listed directory\'s file\'s, though the directory is swapped for a link out of the root just after', async () => {
    const root = makeTree(tempDir(), { 'usr/bin/tool': 'inside', 'usr/bin/plain': 'no xattrs' });
    const outside = makeTree(tempDir(), { 'tool': 'outside' });
    note(join(root, 'usr/bin/tool'), 'inside');
    note(join(outside, 'tool'), 'OUTSIDE');
    const byPath: string[] = [];
    const port: FsPort = {
      ...realFs,
      readDirectory(path, dev, ino, skip) {
        const listed = realFs.readDirectory!(path, dev, ino, skip);
        if (path.toString('latin1').endsWith('/usr/bin')) {
          renameSync(join(root, 'usr/bin'), join(root, 'usr/bin.real'));
          symlinkSync(outside, join(root, 'usr/bin'));
        }
        return listed;
      },
      lxattrs(path) {
        byPath.push(path.toString('latin1'));
        return realFs.lxattrs(path);
      },
    };
    const snap = await takeSnapshot({ root, policy: treePolicy(), jobs: 1, fs: port });
    const tool = snap.entries.find((e) => e.path === '/usr/bin/tool')!;
    expect(tool.attrs.xattrs).toEqual({ 'user.note': Buffer.from('inside').toString('hex') });
    expect(snap.entries.find((e) => e.path === '/usr/bin/plain')!.attrs.xattrs).toBeNull();
    // Nothing listed was asked by its path again.
    expect(byPath.filter((p) => p.includes('/usr/bin/'))).toEqual([]);
  });
});
