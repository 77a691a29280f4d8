/** keygen as a user runs it: three complete lines, the files and their modes. */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { spawnSync } from 'node:child_process';
import { CLI, driftscan } from '../helpers/cli.js';

describe('keygen', () => {
  it('prints the key files and the key id, each line ending in a newline', () => {
    const dir = path.join(tempDir(), 'keys');
    const r = driftscan(['keygen', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const der = createPublicKey(fs.readFileSync(path.join(dir, 'driftscan.pub'))).export({ type: 'spki', format: 'der' });
    const id = createHash('sha256').update(der).digest('hex');
    expect(r.stdout).toBe(
      `private key: ${path.join(dir, 'driftscan.key')}\npublic key:  ${path.join(dir, 'driftscan.pub')}\nkey id:      ${id}\n`,
    );
    expect(r.stderr).toBe('');
    expect(fs.statSync(path.join(dir, 'driftscan.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'driftscan.pub')).mode & 0o777).toBe(0o644);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('without --out: $XDG_CONFIG_HOME/driftscan, and a relative XDG_CONFIG_HOME is ignored (XDG spec)', () => {
    const home = tempDir();
    const cwd = tempDir();
    const env = { HOME: home, DRIFTSCAN_HOME: '' };
    const absolute = driftscan(['keygen'], { ...env, XDG_CONFIG_HOME: path.join(home, 'xdg') });
    expect(absolute.code, absolute.stderr).toBe(0);
    expect(fs.existsSync(path.join(home, 'xdg/driftscan/driftscan.key'))).toBe(true);
    const r = spawnSync(process.execPath, [CLI, 'keygen'], { cwd, env: { ...process.env, ...env, XDG_CONFIG_HOME: 'relative' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(home, '.config/driftscan/driftscan.key'))).toBe(true);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});
