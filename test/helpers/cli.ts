/** Runs the built CLI (dist/cli/main.js) as a user would, with its own key directory. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function driftscan(args: string[], env: Record<string, string> = {}, asUser?: number): CliResult {
  const cmd = asUser === undefined ? process.execPath : 'setpriv';
  const argv = asUser === undefined
    ? [CLI, ...args]
    : [`--reuid=${asUser}`, `--regid=${asUser}`, '--clear-groups', process.execPath, CLI, ...args];
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A key pair made by the CLI's own keygen in DIR (which must not exist yet). */
export function keygen(dir: string): { key: string; pub: string } {
  const r = driftscan(['keygen', '--out', dir]);
  if (r.code !== 0) throw new Error(`keygen failed (${r.code}): ${r.stderr}`);
  return { key: path.join(dir, 'driftscan.key'), pub: path.join(dir, 'driftscan.pub') };
}

/** A work directory, a key pair from the CLI's keygen, and baseline and scan runs with that key: what most CLI tests set up. */
export interface KeyedCli {
  work: string;
  key: string;
  pub: string;
  /** `baseline --root ROOT --key KEY -o OUT ...args`; OUT is a new name in work unless given. */
  baseline(root: string, args?: string[], out?: string): CliResult & { out: string };
  /** `scan FILE --pubkey PUB --root ROOT ...args`. */
  scan(file: string, root: string, args?: string[]): CliResult;
}

let outputs = 0;

/** Call it in beforeAll: it runs keygen once. */
export function keyedCli(): KeyedCli {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'driftscan-cli-'));
  fs.chmodSync(work, 0o755);
  const { key, pub } = keygen(path.join(work, 'k'));
  return {
    work, key, pub,
    baseline(root, args = [], out = path.join(work, `b${++outputs}.dsb`)) {
      return { ...driftscan(['baseline', '--root', root, '--key', key, '-o', out, ...args]), out };
    },
    scan: (file, root, args = []) => driftscan(['scan', file, '--pubkey', pub, '--root', root, ...args]),
  };
}

/** A root holding /srv/f, a key pair from keygen, and a baseline of /srv with it, all in a new temp dir: the fixture of the input-mistake tests. */
export function srvBaseline(prefix: string): { dir: string; root: string; file: string; keys: { key: string; pub: string } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'srv'), { recursive: true });
  fs.writeFileSync(path.join(root, 'srv/f'), 'f\n');
  const keys = keygen(path.join(dir, 'k'));
  const file = path.join(dir, 'b.dsb');
  const r = driftscan(['baseline', '/srv', '--root', root, '--key', keys.key, '-o', file]);
  if (r.code !== 0) throw new Error(`baseline of /srv failed (${r.code}): ${r.stderr}`);
  return { dir, root, file, keys };
}
