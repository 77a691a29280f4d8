/**
 * The hash pool end to end, through the library: a tree of files of many sizes
 * (empty, around the read buffer, several MB, a large sparse file), kept and
 * withheld content, gives the same baseline bytes at every --jobs, with the
 * digests sha256sum and xxhsum give and the content as it is on disk.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as driftscanLib from '../../src/index.js';
import { READ_BUFFER_BYTES } from '../../src/hash/run-batch.js';
import { tempDir } from '../helpers/tree.js';

const tool = (cmd: string, file: string) => execFileSync(cmd, cmd === 'xxhsum' ? ['-H1', file] : [file], { encoding: 'utf8' }).split(' ')[0];

describe('baselines through the native hash pool', () => {
  it('the same bytes at --jobs 1, 2 and 5; digests as the reference tools; content kept or withheld', async () => {
    const tree = tempDir();
    const B = READ_BUFFER_BYTES;
    const sizes = [0, 1, 7, 32, 33, 4096, B - 1, B, B + 1, 3 * B + 5, 5 * 1024 * 1024 + 3];
    fs.mkdirSync(path.join(tree, 'data'));
    for (const [i, size] of sizes.entries()) {
      for (let copy = 0; copy < 12; copy++) fs.writeFileSync(path.join(tree, 'data', `f${i}-${copy}`), randomBytes(size < 1e6 || copy === 0 ? size : 10));
    }
    execFileSync('truncate', ['-s', '200M', path.join(tree, 'data', 'sparse')]);
    fs.mkdirSync(path.join(tree, 'etc/ssh'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'etc/ssh/sshd_config'), 'PermitRootLogin no\n', { mode: 0o644 });
    fs.writeFileSync(path.join(tree, 'etc/ssh/ssh_host_key'), 'SECRET KEY\n', { mode: 0o600 });
    const policy = driftscanLib.parsePolicy('include /data\ninclude /etc\nattrs /etc/ssh/* +content\n');
    const { privateKey } = generateKeyPairSync('ed25519');
    const take = (jobs: number) => driftscanLib.takeBaseline({
      root: tree, paths: ['/data', '/etc'], policy, packages: 'none', signingKey: privateKey, created: new Date(1_700_000_000_000), jobs,
    });
    const runs = [await take(1), await take(2), await take(5)];
    expect(runs[1]!.sealed.equals(runs[0]!.sealed)).toBe(true);
    expect(runs[2]!.sealed.equals(runs[0]!.sealed)).toBe(true);

    const entries = new Map(runs[0]!.baseline.entries.map((e) => [e.path, e]));
    const files = fs.readdirSync(path.join(tree, 'data'));
    expect(files.length).toBe(sizes.length * 12 + 1);
    for (const name of files) {
      const file = path.join(tree, 'data', name);
      expect({ name, ...entries.get(`/data/${name}`)!.attrs }).toMatchObject({ name, sha256: tool('sha256sum', file), xxh64: tool('xxhsum', file) });
    }
    expect(entries.get('/etc/ssh/sshd_config')!.attrs.content).toBe('PermitRootLogin no\n');
    const withheld = entries.get('/etc/ssh/ssh_host_key')!.attrs.content as Record<string, string>;
    expect(JSON.stringify(withheld)).not.toContain('SECRET');
    expect(withheld.digest).toBe(tool('sha256sum', path.join(tree, 'etc/ssh/ssh_host_key')));
  });
});
