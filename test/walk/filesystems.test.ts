/** The walk stays on each start path's filesystem unless the policy says cross-filesystems. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, tempDir } from '../helpers/tree.js';
import { walk } from '../../src/walk/walker.js';
import { parsePolicy } from '../../src/policy/policy.js';

let tree: string;
let mnt: string;

beforeAll(() => {
  tree = makeTree(tempDir(), { 'srv/file': 'on the root filesystem', 'srv/mnt': { dir: true } });
  mnt = path.join(tree, 'srv/mnt');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  fs.writeFileSync(path.join(mnt, 'inside'), 'on another filesystem');
});

afterAll(() => {
  execFileSync('umount', [mnt]);
});

const paths = async (rules: string) =>
  (await walk({ root: tree, policy: parsePolicy(rules) })).entries.map((e) => e.path);

describe('filesystems', () => {
  it('records a mount point but does not descend into it', async () => {
    expect(await paths('include /srv\n')).toEqual(['/srv', '/srv/file', '/srv/mnt']);
  });

  it('descends with cross-filesystems', async () => {
    expect(await paths('include /srv\ncross-filesystems\n')).toEqual(['/srv', '/srv/file', '/srv/mnt', '/srv/mnt/inside']);
  });

  it('a start path on another filesystem is walked on its own filesystem', async () => {
    expect(await paths('include /srv/mnt\n')).toEqual(['/srv/mnt', '/srv/mnt/inside']);
  });

  it('a start path on another filesystem nested in another start path is walked too (include / and include /boot)', async () => {
    expect(await paths('include /srv\ninclude /srv/mnt\n')).toEqual(['/srv', '/srv/file', '/srv/mnt', '/srv/mnt/inside']);
  });

  it('start paths that are not there are reported with why, not skipped silently', async () => {
    const r = await walk({ root: tree, policy: parsePolicy('include /srv\ninclude /srv/nope\ninclude /srv/file/x\ninclude /opt\n') });
    expect([...r.notWalked]).toEqual([['/opt', 'ENOENT'], ['/srv/nope', 'ENOENT'], ['/srv/file/x', 'ENOTDIR: /srv/file is a file']]);
  });
});
