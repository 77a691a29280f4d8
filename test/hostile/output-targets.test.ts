/**
 * What `-o` names when it is not a plain new file: a device, a FIFO, standard
 * output, a symlink, a directory, a disk. Devices, FIFOs and descriptors are
 * written into and stay what they were; symlinks, directories and block
 * devices are refused before the walk (exit 16) and left alone. Files written
 * are 0600 (they may hold configuration text) unless --mode says otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTree, systemTree, tempDir } from '../helpers/tree.js';
import { CLI, driftscan, keygen } from '../helpers/cli.js';

let work: string;
let tree: string;
let key: string;
let pub: string;
let file: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir());
  ({ key, pub } = keygen(path.join(work, 'k')));
  file = path.join(work, 't.dsb');
  expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
  fs.writeFileSync(path.join(tree, 'usr/bin/ps'), 'ps binary v2\n'); // one change: the report is not empty
});

const baselineTo = (out: string, ...more: string[]) =>
  driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', out, '--packages', 'none', ...more]);
const scanTo = (out: string, ...more: string[]) =>
  driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', '-o', out, ...more]);
const mode = (p: string) => fs.statSync(p).mode & 0o7777;

describe('written into, never replaced', () => {
  it('a character device (a null device made with mknod 1 3, as /dev/null): still that device, exit as usual', () => {
    const dev = path.join(tempDir(), 'null');
    makeTree(path.dirname(dev), { null: { chardev: [1, 3] } });
    const before = fs.lstatSync(dev);
    const b = baselineTo(dev);
    expect(b.code, b.stderr).toBe(0);
    const s = scanTo(dev);
    expect(s.code, s.stderr).toBe(4);
    expect(s.stderr).toBe('');
    const after = fs.lstatSync(dev);
    expect(after.isCharacterDevice()).toBe(true);
    expect([after.ino, after.rdev, after.mode]).toEqual([before.ino, before.rdev, before.mode]);
    expect(fs.readdirSync(path.dirname(dev))).toEqual(['null']);
  });

  it('/dev/stdout: the report on standard output, as without -o', () => {
    const plain = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none']);
    const r = scanTo('/dev/stdout');
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stdout).toContain('/usr/bin/ps');
  });

  it('/dev/stdout: a baseline on standard output verifies', () => {
    const r = spawnSync(process.execPath, [CLI, 'baseline', '/', '--root', tree, '--key', key, '-o', '/dev/stdout', '--packages', 'none'],
      { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.status, r.stderr.toString()).toBe(0);
    const copy = path.join(tempDir(), 'from-stdout.dsb');
    fs.writeFileSync(copy, r.stdout);
    expect(driftscan(['verify', copy, '--pubkey', pub]).code).toBe(0);
  });

  it('/dev/stderr and /dev/fd/2: the report on standard error', () => {
    for (const name of ['/dev/stderr', '/dev/fd/2', '/proc/self/fd/2']) {
      const r = scanTo(name);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^\.\.5.*\/usr\/bin\/ps/m);
    }
  });

  it('a FIFO with a reader: the reader gets the report, the FIFO stays a FIFO', () => {
    const fifo = path.join(tempDir(), 'pipe');
    makeTree(path.dirname(fifo), { pipe: { fifo: true } });
    // The reader is this process, there before the writer; a report this small fits the pipe's buffer.
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const r = scanTo(fifo, '--format', 'json');
      expect(r.code, r.stderr).toBe(4);
      const buf = Buffer.alloc(65536);
      const n = fs.readSync(fd, buf);
      expect(JSON.parse(buf.subarray(0, n).toString()).summary.changed).toBe(1);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a FIFO nobody reads: exit 25 at once with one line, not a hang; the FIFO stays', () => {
    const fifo = path.join(tempDir(), 'pipe');
    makeTree(path.dirname(fifo), { pipe: { fifo: true } });
    const r = scanTo(fifo);
    expect(r.code).toBe(25);
    expect(r.stderr).toBe(`driftscan: error: cannot write ${fifo}: ENXIO (nothing is reading it)\n`);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a FIFO whose reader stalls: SIGINT still ends the run (exit 130), the FIFO stays', async () => {
    const dir = tempDir();
    const spec: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) spec[`srv/many/a-long-file-name-to-make-a-long-report-${i}`] = `${i}`;
    const big = systemTree(tempDir(), spec);
    const b = path.join(dir, 'big.dsb');
    expect(driftscan(['baseline', '/', '--root', big, '--key', key, '-o', b, '--packages', 'none']).code).toBe(0);
    fs.rmSync(path.join(big, 'srv/many'), { recursive: true }); // far more report than a pipe holds
    makeTree(dir, { pipe: { fifo: true } });
    const fifo = path.join(dir, 'pipe');
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const child = spawn(process.execPath, [CLI, 'scan', b, '--pubkey', pub, '--root', big, '--packages', 'none', '-o', fifo], { stdio: 'ignore' });
      const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // One byte read: the writer has begun, and with the rest never read it must stall.
      const one = Buffer.alloc(1);
      for (let tries = 0; tries < 3000; tries++) {
        try {
          if (fs.readSync(fd, one) === 1) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        await sleep(20);
      }
      child.kill('SIGINT');
      expect(await ended).toBe(130);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });
});

describe('refused before the walk: exit 16, one line, the name left alone', () => {
  it('a symlink (to a file, to nothing): neither the link nor its target changes', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'target'), 'precious');
    fs.symlinkSync('target', path.join(dir, 'link'));
    fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
    for (const name of ['link', 'dangling']) {
      const out = path.join(dir, name);
      for (const r of [baselineTo(out), scanTo(out)]) {
        expect(r.code).toBe(16);
        expect(r.stderr).toBe(`driftscan: error: -o ${out} is a symbolic link; refusing to write through it (name the file it points to)\n`);
      }
      expect(fs.lstatSync(out).isSymbolicLink()).toBe(true);
    }
    expect(fs.readFileSync(path.join(dir, 'target'), 'utf8')).toBe('precious');
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['dangling', 'link', 'target']);
  });

  it('a directory', () => {
    const dir = tempDir();
    const r = scanTo(dir);
    expect(r.code).toBe(16);
    expect(r.stderr).toBe(`driftscan: error: -o ${dir} is a directory; name a file\n`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a socket', async () => {
    const sock = path.join(tempDir(), 'sock');
    const server = net.createServer().listen(sock);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const r = scanTo(sock);
      expect(r.code).toBe(16);
      expect(r.stderr).toBe(`driftscan: error: -o ${sock} is a socket; name a file\n`);
      expect(fs.lstatSync(sock).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it('/dev/fd/3: not taken for a descriptor (it may be one of Node\'s own), refused as the symlink it is', () => {
    const r = scanTo('/dev/fd/3');
    expect(r.code).toBe(16);
    expect(r.stderr).toBe('driftscan: error: -o /dev/fd/3 is a symbolic link; refusing to write through it (name the file it points to)\n');
  });

  it('a name inside --root, however spelled: the tree under examination is evidence', () => {
    const alias = path.join(tempDir(), 'alias');
    fs.symlinkSync(tree, alias);
    const before = fs.readdirSync(path.join(tree, 'usr/bin')).sort();
    for (const out of [path.join(tree, 'usr/bin/report'), path.join(alias, 'usr/bin/report'), path.join(tree, 'x', '..', 'usr/bin/report')]) {
      for (const r of [baselineTo(out), scanTo(out)]) {
        expect(r.code).toBe(16);
        expect(r.stderr).toBe(`driftscan: error: -o ${out} is inside --root ${tree}; refusing to change the tree under examination\n`);
      }
    }
    expect(fs.readdirSync(path.join(tree, 'usr/bin')).sort()).toEqual(before);
  });

  it('a block device', () => {
    const dir = tempDir();
    makeTree(dir, { disk: { blockdev: [7, 250] } });
    const out = path.join(dir, 'disk');
    const r = baselineTo(out);
    expect(r.code).toBe(16);
    expect(r.stderr).toBe(`driftscan: error: -o ${out} is a block device; refusing to write onto a disk\n`);
    expect(fs.lstatSync(out).isBlockDevice()).toBe(true);
  });
});

describe('a new file where none can be written: exit 25 before the walk', () => {
  it('a directory that does not exist', () => {
    const out = path.join(tempDir(), 'no-such-dir', 'b.dsb');
    const r = baselineTo(out);
    expect(r.code).toBe(25);
    expect(r.stderr).toBe(`driftscan: error: cannot write ${out}: ${path.dirname(out)}: ENOENT\n`);
  });

  it('a directory nobody may write, for a user who is not root', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o555);
    const out = path.join(dir, 'r.txt');
    const s = driftscan(['scan', file, '--no-verify', '--root', tree, '--packages', 'none', '-o', out], {}, 65534);
    expect(s.code).toBe(25);
    expect(s.stderr).toBe(`driftscan: error: cannot write ${out}: ${dir}: EACCES\n`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('file modes: 0600 unless --mode', () => {
  it('new baselines and reports are 0600, whatever the umask', () => {
    const dir = tempDir();
    const umask = process.umask(0); // children inherit it: a umask of 0 would otherwise give 0666
    try {
      expect(baselineTo(path.join(dir, 'b.dsb')).code).toBe(0);
      expect(scanTo(path.join(dir, 'r.txt')).code).toBe(4);
    } finally {
      process.umask(umask);
    }
    expect(mode(path.join(dir, 'b.dsb'))).toBe(0o600);
    expect(mode(path.join(dir, 'r.txt'))).toBe(0o600);
  });

  it('replacing a world-readable file leaves it 0600', () => {
    const out = path.join(tempDir(), 'r.json');
    fs.writeFileSync(out, '{}', { mode: 0o644 });
    expect(scanTo(out, '--format', 'json').code).toBe(4);
    expect(mode(out)).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).summary.changed).toBe(1);
  });

  it('--mode 0640 is applied exactly, even under umask 077', () => {
    const dir = tempDir();
    const umask = process.umask(0o077);
    try {
      expect(baselineTo(path.join(dir, 'b.dsb'), '--mode', '0640').code).toBe(0);
      expect(scanTo(path.join(dir, 'r.txt'), '--mode', '644').code).toBe(4);
    } finally {
      process.umask(umask);
    }
    expect(mode(path.join(dir, 'b.dsb'))).toBe(0o640);
    expect(mode(path.join(dir, 'r.txt'))).toBe(0o644);
  });

  for (const bad of ['0999', '4755', 'rw-r--r--', '']) {
    it(`--mode '${bad}': exit 16, nothing written`, () => {
      const out = path.join(tempDir(), 'b.dsb');
      const r = baselineTo(out, '--mode', bad);
      expect(r.code).toBe(16);
      expect(r.stderr).toBe(`driftscan: error: --mode takes octal permission bits such as 0600 or 0640, not '${bad}'\n`);
      expect(fs.existsSync(out)).toBe(false);
    });
  }
});
