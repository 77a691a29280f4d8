/**
 * FIFOs, sockets and device nodes are recorded from lstat and never opened:
 * none reaches the hash workers, and a FIFO with no writer does not block.
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { treePolicy } from '../helpers/lib.js';
import { walk } from '../../src/walk/walker.js';

let tree: string;

beforeAll(() => {
  tree = systemTree(tempDir(), {
    'srv/dev/fifo': { fifo: true }, 'srv/dev/null': { chardev: [1, 3] }, 'srv/dev/tty': { chardev: [5, 0] },
    'srv/dev/loop0': { blockdev: [7, 0] }, 'srv/file': 'content\n',
  });
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', at(tree, 'srv/dev/sock').toString()]);
});

describe('special files', () => {
  it('only regular files are handed to the hash workers', async () => {
    const sent: string[] = [];
    const result = await walk({ root: tree, policy: treePolicy(), onContent: (e) => sent.push(e.path) });
    const kinds = Object.fromEntries(result.entries.filter((e) => e.path.startsWith('/srv/dev/')).map((e) => [e.path, e.kind]));
    expect(kinds).toEqual({
      '/srv/dev/fifo': 'fifo', '/srv/dev/null': 'chardev', '/srv/dev/tty': 'chardev', '/srv/dev/loop0': 'blockdev', '/srv/dev/sock': 'socket',
    });
    expect(sent.filter((p) => p.startsWith('/srv/dev/'))).toEqual([]);
    expect(sent).toContain('/srv/file');
  });

  it('baseline and scan with a writer-less FIFO, a socket and devices: complete, clean, device numbers recorded', () => {
    const work = tempDir();
    expect(driftscan(['keygen', '--out', path.join(work, 'k')]).code).toBe(0);
    const file = path.join(work, 'dev.dsb');
    const b = driftscan(['baseline', '/', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', file, '--packages', 'none']);
    expect(b.code).toBe(0);
    const shown = driftscan(['show', file, '/srv/dev', '--pubkey', path.join(work, 'k/driftscan.pub')]).stdout;
    expect(shown).toMatch(/ crw-r--r-- .* 1,3 .* \/srv\/dev\/null$/m);
    expect(shown).toMatch(/ brw-r--r-- .* 7,0 .* \/srv\/dev\/loop0$/m);
    expect(shown).toMatch(/ prw-r--r-- .* \/srv\/dev\/fifo$/m);
    expect(shown).toMatch(/ srwxr-xr-x .* \/srv\/dev\/sock$/m);
    expect(shown).not.toMatch(/\/srv\/dev\/.*(sha256|untested)/);
    const r = driftscan(['scan', file, '--pubkey', path.join(work, 'k/driftscan.pub'), '--root', tree, '--packages', 'none']);
    expect(r.stdout).toMatch(/^# driftscan: clean/m);
    expect(r.code).toBe(0);
  });
});
