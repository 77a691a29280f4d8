/** keygen as a user runs it: three complete lines, the files and their modes. */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

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
});
