/**
 * Attack: hide an extended attribute where the walk asks for the size of a
 * child's xattr list through its directory (listxattrat(dirfd, name,
 * AT_SYMLINK_NOFOLLOW)) and records none when that size is 0. A symlink
 * carries its own trusted.* xattrs (root may set them; user.* it may not)
 * while its target has none, and a FIFO or device node has some though
 * nothing reads it: asked of the target, or not asked, they would scan clean.
 * Each added xattr is a change; a link to a file with a capability records
 * no xattrs of its own.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeTree, tempDir } from '../helpers/tree.js';
import { baselineFile, brief, scanTree, takeBaseline } from '../helpers/lib.js';

const setfattr = (file: string, name: string) => execFileSync('setfattr', ['-h', '-n', name, '-v', 'planted', file]);

describe('xattrs on what is not a regular file', () => {
  it('added to a symlink (to a plain file, and dangling), a FIFO and a device node: each a change', async () => {
    const root = makeTree(tempDir(), {
      'srv/plain': 'p', 'srv/capped': 'c', 'srv/to-plain': { symlink: 'plain' }, 'srv/dangling': { symlink: '/nonexistent' },
      'srv/to-capped': { symlink: 'capped' }, 'srv/fifo': { fifo: true }, 'srv/null': { chardev: [1, 3] },
    });
    execFileSync('setcap', ['cap_net_raw+ep', `${root}/srv/capped`]);
    const file = baselineFile(tempDir());
    const taken = await takeBaseline(root, file);
    const link = taken.entries.find((e) => e.path === '/srv/to-capped')!;
    // The target's capability is the target's: the link records no xattrs of its own.
    expect(taken.entries.find((e) => e.path === '/srv/capped')!.attrs.caps).toBe('cap_net_raw=ep');
    expect(link.attrs).toHaveProperty('xattrs', null);
    expect((await scanTree(root, file)).report.findings).toEqual([]);

    for (const name of ['to-plain', 'dangling', 'fifo', 'null']) setfattr(`${root}/srv/${name}`, 'trusted.planted');
    const lines = brief((await scanTree(root, file)).report.findings);
    expect(lines).toEqual(['dangling', 'fifo', 'null', 'to-plain'].map((n) => `changed ......... - /srv/${n} xattrs ctime`));
  });
});
