/**
 * Files the walk reads whole from the scanned tree: the root's /etc/passwd and
 * /etc/group (owner and group names). Read at most 16 MiB (a 1.9 GB sparse
 * passwd once took 2 GB of memory), never through a symlink out of the root,
 * without touching their atime; what was not read is a warning naming the
 * file, and names past the limit show as unresolved ids. The operator's own
 * files read whole (keys, rules) are capped too: `--key /dev/zero` is an error,
 * not a process filling memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTree, systemTree, tempDir } from '../helpers/tree.js';
import { spawnSync } from 'node:child_process';
import { CLI, driftscan, keygen } from '../helpers/cli.js';

const MiB = 1024 * 1024;
let key: string;
let pub: string;

beforeAll(() => {
  ({ key, pub } = keygen(path.join(tempDir(), 'k')));
});

function baseline(tree: string) {
  const out = path.join(tempDir(), 'b.dsb');
  const r = driftscan(['baseline', '/srv', '--root', tree, '--key', key, '-o', out, '--packages', 'none']);
  return { ...r, out };
}

/** show's owner and group columns for a path. */
function owners(file: string, p: string): string[] {
  const line = driftscan(['show', file, p, '--pubkey', pub]).stdout.split('\n').find((l) => l.includes(`Z ${p}  `))!;
  return line.trim().split(/\s+/).slice(3, 5);
}

describe('/etc/passwd larger than 16 MiB', () => {
  it('a 1.9 GB sparse passwd: the first 16 MiB resolve, later names show as ids, a warning names the file', () => {
    const tree = systemTree(tempDir(), { 'srv/early': 'a', 'srv/late': 'b', 'srv/edge': 'c' });
    const passwd = path.join(tree, 'etc/passwd');
    const fd = fs.openSync(passwd, 'w');
    fs.writeSync(fd, 'root:x:0:0::/root:/bin/sh\nearly:x:4001:0::/:/bin/sh\n');
    // A line cut by the limit is dropped, not read as a shorter name.
    fs.writeSync(fd, 'edgename:x:4003:0::/:/bin/sh\n', 16 * MiB - 10);
    fs.writeSync(fd, 'late:x:4002:0::/:/bin/sh\n', 1900 * MiB);
    fs.closeSync(fd);
    fs.chownSync(path.join(tree, 'srv/early'), 4001, 0);
    fs.chownSync(path.join(tree, 'srv/late'), 4002, 0);
    fs.chownSync(path.join(tree, 'srv/edge'), 4003, 0);
    const b = baseline(tree);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: /etc/passwd is larger than 16 MiB: owner names past that are not read and show as unresolved\n');
    expect(owners(b.out, '/srv/early')).toEqual(['early', 'root']);
    expect(owners(b.out, '/srv/late')).toEqual(['4002', 'root']);
    expect(owners(b.out, '/srv/edge')).toEqual(['4003', 'root']);
    // The scan says so too, in the report, and compares the same names the same way.
    const s = driftscan(['scan', b.out, '--pubkey', pub, '--root', tree, '--packages', 'none', '--format', 'json']);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).diagnostics).toContain('/etc/passwd is larger than 16 MiB: owner names past that are not read and show as unresolved');
  });

  it('exactly 16 MiB is read whole, without a warning', () => {
    const tree = systemTree(tempDir(), { 'srv/last': 'a' });
    const line = 'lastname:x:4004:0::/:/bin/sh\n';
    const text = Buffer.alloc(16 * MiB, '#');
    text.write('\n', 16 * MiB - line.length - 1);
    text.write(line, 16 * MiB - line.length);
    fs.writeFileSync(path.join(tree, 'etc/passwd'), text);
    fs.chownSync(path.join(tree, 'srv/last'), 4004, 0);
    const b = baseline(tree);
    expect(b.code).toBe(0);
    expect(b.stderr).not.toContain('warning');
    expect(owners(b.out, '/srv/last')).toEqual(['lastname', 'root']);
  });
});

it('a name longer than 256 characters is not a name: the id shows, a warning says why', () => {
  const tree = systemTree(tempDir(), { 'srv/f': 'x' });
  fs.appendFileSync(path.join(tree, 'etc/passwd'), `${'n'.repeat(257)}:x:4005:0::/:/bin/sh\n`);
  fs.chownSync(path.join(tree, 'srv/f'), 4005, 0);
  const b = baseline(tree);
  expect(b.code).toBe(0);
  expect(b.stderr).toContain('driftscan: warning: /etc/passwd: 1 names longer than 256 characters ignored; their ids show as unresolved\n');
  expect(owners(b.out, '/srv/f')).toEqual(['4005', 'root']);
});

describe('never read out of the root', () => {
  function outsider(): string {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'passwd'), 'outsider:x:4242:4242::/:/bin/sh\n');
    fs.writeFileSync(path.join(dir, 'group'), 'outsiders:x:4242:\n');
    return dir;
  }

  it('a symlinked /etc/passwd and /etc/group: not followed, warned, ids shown', () => {
    const out = outsider();
    const tree = makeTree(tempDir(), {
      'etc/passwd': { symlink: path.join(out, 'passwd') },
      'etc/group': { symlink: path.join(out, 'group') },
      'srv/f': 'x',
    });
    fs.chownSync(path.join(tree, 'srv/f'), 4242, 4242);
    const b = baseline(tree);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: owner names not read from /etc/passwd: it (or /etc) is a symbolic link, not followed\n');
    expect(b.stderr).toContain('driftscan: warning: group names not read from /etc/group: it (or /etc) is a symbolic link, not followed\n');
    expect(owners(b.out, '/srv/f')).toEqual(['4242', '4242']);
  });

  it('a symlinked /etc: not followed, warned, ids shown', () => {
    const out = outsider();
    const tree = makeTree(tempDir(), { etc: { symlink: out }, 'srv/f': 'x' });
    fs.chownSync(path.join(tree, 'srv/f'), 4242, 4242);
    const b = baseline(tree);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: owner names not read from /etc/passwd: /etc is not a directory (a symbolic link is not followed)\n');
    expect(owners(b.out, '/srv/f')).toEqual(['4242', '4242']);
  });

  it('a passwd that is a FIFO: not opened for long, warned', () => {
    const tree = makeTree(tempDir(), { 'etc/passwd': { fifo: true }, 'srv/f': 'x' });
    const b = baseline(tree);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: owner names not read from /etc/passwd: not a regular file\n');
  });

  it('no /etc at all: no names, no warning', () => {
    const tree = makeTree(tempDir(), { 'srv/f': 'x' });
    const b = baseline(tree);
    expect(b.code).toBe(0);
    expect(b.stderr).not.toContain('warning');
  });

  it('reading passwd and group leaves their atimes as they were', () => {
    const tree = systemTree(tempDir(), { 'srv/f': 'x' });
    const old = new Date('2001-02-03T04:05:06Z');
    for (const f of ['etc/passwd', 'etc/group', 'etc']) fs.utimesSync(path.join(tree, f), old, old);
    expect(baseline(tree).code).toBe(0);
    for (const f of ['etc/passwd', 'etc/group', 'etc']) expect(fs.statSync(path.join(tree, f)).atime).toEqual(old);
  });
});

describe('operator files read whole: keys and rules, capped', () => {
  let file: string;
  let tree: string;
  beforeAll(() => {
    tree = systemTree(tempDir());
    file = path.join(tempDir(), 't.dsb');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
  });

  it('--pubkey /dev/zero and --key /dev/zero: exit 21 at once, one line', () => {
    const p = driftscan(['verify', file, '--pubkey', '/dev/zero']);
    expect([p.code, p.stderr]).toEqual([21, 'driftscan: error: public key /dev/zero is not a regular file\n']);
    const k = driftscan(['baseline', '/', '--root', tree, '--key', '/dev/zero', '-o', path.join(tempDir(), 'b.dsb')]);
    expect([k.code, k.stderr]).toEqual([21, 'driftscan: error: private key /dev/zero is not a regular file\n']);
  });

  it('a 1 GiB sparse "key": exit 21, not read', () => {
    const big = path.join(tempDir(), 'big.key');
    fs.writeFileSync(big, '', { mode: 0o600 });
    fs.truncateSync(big, 1024 * MiB);
    const r = driftscan(['baseline', '/', '--root', tree, '--key', big, '-o', path.join(tempDir(), 'b.dsb')]);
    expect([r.code, r.stderr]).toEqual([21, `driftscan: error: private key ${big} is larger than 64 KiB: not a key\n`]);
  });

  it('--rules /dev/zero: exit 22, one line', () => {
    const r = driftscan(['policy', '--check', '/dev/zero']);
    expect([r.code, r.stderr]).toEqual([22, 'driftscan: error: rules file /dev/zero is larger than 1 MiB: not a rules file\n']);
  });

  it('a baseline that is a device (scan /dev/zero): exit 17 at once, one line', () => {
    for (const cmd of ['scan', 'verify', 'show']) {
      const r = driftscan([cmd, '/dev/zero', '--pubkey', pub]);
      expect([r.code, r.stderr]).toEqual([17, 'driftscan: error: cannot read baseline /dev/zero: not a regular file\n']);
    }
  });

  it('a baseline, public key and rules through a pipe (process substitution) still work', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" verify <(cat "${file}") --pubkey <(cat "${pub}") && "${process.execPath}" "${CLI}" policy --check <(printf 'include /etc\\n')`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK .*signature valid.*\nOK \/dev\/fd\/\d+: 1 include paths\n$/);
  });
});
