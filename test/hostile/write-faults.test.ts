/**
 * Writing a baseline or report when the disk is full, or when the writer is
 * interrupted or killed mid-write: the previous file stays intact, nothing
 * partial ever appears under the final name, and SIGINT/SIGTERM leave no
 * temporary file behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, systemTree, tempDir } from '../helpers/tree.js';
import { CLI, driftscan, keygen } from '../helpers/cli.js';

const mounts: string[] = [];
let work: string;
let key: string;
let pub: string;

function tmpfs(size: string): string {
  const dir = tempDir('driftscan-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n.includes('.tmp-'));

beforeAll(() => {
  work = tempDir();
  ({ key, pub } = keygen(path.join(work, 'k')));
});

afterAll(() => {
  for (const dir of mounts) spawnSync('umount', ['-l', dir]);
});

describe('full disk', () => {
  it('baseline -o on a full filesystem: exit 25, the old baseline intact, no partial or temporary file', () => {
    const disk = tmpfs('64k');
    const out = path.join(disk, 'host.dsb');
    const small = systemTree(tempDir());
    expect(driftscan(['baseline', '/', '--root', small, '--key', key, '-o', out, '--packages', 'none']).code).toBe(0);
    const before = fs.readFileSync(out);
    // Enough entries that the new baseline cannot fit beside the old one.
    const spec: Record<string, string> = {};
    for (let i = 0; i < 1500; i++) spec[`srv/many/file-with-a-long-name-${i}`] = `content ${i}`;
    const big = systemTree(tempDir(), spec);
    const r = driftscan(['baseline', '/', '--root', big, '--key', key, '-o', out, '--packages', 'none']);
    expect(r.code).toBe(25);
    expect(r.stderr).toBe(`driftscan: error: cannot write ${out}: ENOSPC\n`);
    expect(fs.readFileSync(out).equals(before)).toBe(true);
    expect(fs.readdirSync(disk)).toEqual(['host.dsb']);
    expect(driftscan(['verify', out, '--pubkey', pub]).code).toBe(0);
  });

  it('scan -o on a full filesystem: exit 25, the old report intact', () => {
    const disk = tmpfs('16k');
    const tree = systemTree(tempDir());
    const file = path.join(work, 'r.dsb');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
    const spec: Record<string, string> = {};
    for (let i = 0; i < 400; i++) spec[`srv/added/a-rather-long-file-name-to-fill-the-report-${i}`] = 'x';
    makeTree(tree, spec);
    const report = path.join(disk, 'report.json');
    fs.writeFileSync(report, '{"old": true}\n');
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--format', 'json', '-o', report, '--packages', 'none']);
    expect(r.code).toBe(25);
    expect(r.stderr).toMatch(/^driftscan: error: cannot write .*report\.json: ENOSPC\n$/);
    expect(fs.readFileSync(report, 'utf8')).toBe('{"old": true}\n');
    expect(leftovers(disk)).toEqual([]);
  });
});

describe('killed mid-write', () => {
  // A child that writes 256 MiB through writeAtomic, with the CLI's signal handling:
  // long enough to be caught between the temporary file's creation and the rename.
  const WRITER = `
    import { writeAtomic, cleanUpOnSignals } from ${JSON.stringify(path.resolve(CLI, '../../baseline/store.js'))};
    cleanUpOnSignals();
    writeAtomic(process.argv[1], Buffer.alloc(256 << 20, 0x42));
  `;

  /** Starts the writer, waits for its temporary file, sends the signal; returns how it ended. */
  async function interrupt(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; sawTmp: boolean }> {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, out], { stdio: 'ignore' });
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })));
    const dir = path.dirname(out);
    const deadline = Date.now() + 10_000;
    let sawTmp = false;
    // Busy-poll: the window between open and rename is a few tens of milliseconds.
    while (Date.now() < deadline && child.exitCode === null) {
      if (leftovers(dir).length) {
        sawTmp = true;
        child.kill(signal);
        break;
      }
    }
    return { ...(await ended), sawTmp };
  }

  it('SIGKILL: the previous file is intact and nothing partial is under the final name', async () => {
    const disk = tmpfs('1g');
    const out = path.join(disk, 'host.dsb');
    fs.writeFileSync(out, 'previous baseline');
    const r = await interrupt(out, 'SIGKILL');
    expect(r.sawTmp).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(fs.readFileSync(out, 'utf8')).toBe('previous baseline');
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal}: handled (exit ${code}, or 0 once written), the final name holds the old or the complete new file, no temporary file is left`, async () => {
      const disk = tmpfs('1g');
      const out = path.join(disk, 'host.dsb');
      fs.writeFileSync(out, 'previous baseline');
      const r = await interrupt(out, signal);
      expect(r.sawTmp).toBe(true);
      // Not killed by the signal: the handler ran, after the synchronous write finished
      // (exit 0, the new file complete) or before it began (exit ${code}).
      expect(r.signal).toBeNull();
      expect([0, code]).toContain(r.code);
      expect(leftovers(disk)).toEqual([]);
      const size = fs.statSync(out).size;
      expect([17, 256 << 20]).toContain(size);
      if (r.code === 0) expect(size).toBe(256 << 20);
    });
  }

  it('the CLI interrupted at many points of a baseline: old or new, never partial, never a temporary file', async () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) spec[`srv/d${i % 30}/f${i}`] = `v${i}`;
    const tree = systemTree(tempDir(), spec);
    const dir = tempDir();
    const out = path.join(dir, 'host.dsb');
    const small = systemTree(tempDir());
    expect(driftscan(['baseline', '/', '--root', small, '--key', key, '-o', out, '--packages', 'none']).code).toBe(0);
    const old = fs.readFileSync(out);
    const outcomes = new Set<string>();
    for (const delay of [150, 250, 350, 450, 600, 800, 1200]) {
      const child = spawn(process.execPath, [CLI, 'baseline', '/', '--root', tree, '--key', key, '-o', out, '--packages', 'none', '--jobs', '2'], { stdio: 'ignore' });
      const ended = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      setTimeout(() => child.kill(delay % 200 === 0 ? 'SIGTERM' : 'SIGINT'), delay);
      const code = await ended;
      // null: killed while no handler was installed: while Node was still loading (before any
      // write), or after the new file was renamed into place and the handlers removed.
      expect([0, 130, 143, null], `delay ${delay}`).toContain(code);
      expect(leftovers(dir)).toEqual([]);
      const now = fs.readFileSync(out);
      if (!now.equals(old)) {
        expect(driftscan(['verify', out, '--pubkey', pub]).code, `delay ${delay}`).toBe(0);
        fs.writeFileSync(out, old);
        outcomes.add('new');
      } else {
        outcomes.add('old');
      }
    }
    // The delays span the run: some interrupted it (old file kept).
    expect(outcomes.has('old')).toBe(true);
  });
});
