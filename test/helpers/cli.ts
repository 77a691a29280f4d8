/** Runs the built CLI (dist/cli/main.js) as a user would, with its own key directory. */
import { spawnSync } from 'node:child_process';
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
