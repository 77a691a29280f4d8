/**
 * Tired operator: a rules file saved with CRLF line endings (edited on
 * Windows, pasted from a ticket). Directives worked (the CR is whitespace),
 * but every comment line was refused as "unknown directive '#'", exit 22: the
 * comment pattern stopped at the CR. A comment now runs to the end of its
 * line, CR included, and such a file works as its LF twin does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftscan, keygen } from '../helpers/cli.js';

describe('a rules file with CRLF line endings', () => {
  it('is checked and used as the same file with LF endings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-crlf-'));
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'srv/app/skip'), { recursive: true });
    fs.writeFileSync(path.join(root, 'srv/app/run'), 'run\n');
    fs.writeFileSync(path.join(root, 'srv/app/skip/x'), 'x\n');
    const lines = ['# the app', 'include /srv/app   # its tree', '# a comment with a stray\rcarriage return', 'exclude /srv/app/skip', ''];
    const rules = path.join(dir, 'rules');
    fs.writeFileSync(rules, lines.join('\r\n'));

    const check = driftscan(['policy', '--check', rules, '--root', root]);
    expect(check.stderr).toBe('');
    expect(check.stdout).toBe(`OK ${rules}: 1 include paths\n`);
    expect(check.code).toBe(0);

    const keys = keygen(path.join(dir, 'k'));
    const file = path.join(dir, 'b.dsb');
    const b = driftscan(['baseline', '--root', root, '--rules', rules, '--key', keys.key, '-o', file]);
    expect(b.code).toBe(0);
    const shown = driftscan(['show', file, '--pubkey', keys.pub]);
    expect(shown.stdout.trim().split('\n').map((l) => l.split(' ').filter((w) => w.startsWith('/srv'))[0])).toEqual(['/srv/app', '/srv/app/run']);
    expect(driftscan(['scan', file, '--pubkey', keys.pub, '--root', root]).code).toBe(0);
  });
});
