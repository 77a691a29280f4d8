/**
 * Tired operator: an option given an unset variable (`--root "$MNT"`,
 * `--pubkey "$PUB"`, `--rules "$RULES"`). An empty value was taken as no
 * option at all: `--root ""` scanned (or baselined) the working directory as
 * if it were the image, `--pubkey ""` fell back to the default key with the
 * message "no --pubkey given", `--rules ""` silently used the stored policy
 * and could report clean. Every empty file or directory option is now a usage error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { driftscan, srvBaseline } from '../helpers/cli.js';

let dir: string;
let root: string;
let file: string;
let keys: { key: string; pub: string };

beforeAll(() => {
  ({ dir, root, file, keys } = srvBaseline('ds-empty-'));
});

describe('an empty file or directory option', () => {
  it.each([
    ['--root of scan', () => ['scan', file, '--pubkey', keys.pub, '--root', ''], '--root'],
    ['--root of baseline', () => ['baseline', '/srv', '--root', '', '--key', keys.key, '-o', path.join(dir, 'x.dsb')], '--root'],
    ['--pubkey', () => ['scan', file, '--pubkey', '', '--root', root], '--pubkey'],
    ['--rules', () => ['scan', file, '--pubkey', keys.pub, '--root', root, '--rules', ''], '--rules'],
    ['--key', () => ['baseline', '/srv', '--root', root, '--key', '', '-o', path.join(dir, 'x.dsb')], '--key'],
    ['-o', () => ['scan', file, '--pubkey', keys.pub, '--root', root, '-o', ''], '--output'],
    ['--out of keygen', () => ['keygen', '--out', ''], '--out'],
    ['--root of policy --check', () => ['policy', '--check', file, '--root', ''], '--root'],
  ])('%s is a usage error (16), one line, nothing written', (_what, args, flag) => {
    const r = driftscan(args());
    expect(r.stderr).toBe(`driftscan: error: ${flag} is empty: give it a value (an unset variable?)\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(16);
    expect(fs.existsSync(path.join(dir, 'x.dsb'))).toBe(false);
  });
});
