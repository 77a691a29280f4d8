/**
 * Attack: a baseline whose header holds escape sequences and bidi overrides
 * in its host name (a live host's name is whatever its DHCP server or its
 * intruder set; the kernel takes any bytes). Validly signed, so every command
 * reads it. `verify` printed the host raw: an escape sequence erased its line
 * and printed a fake one. Every command now escapes it as a path is escaped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { writeAtomic } from '../../src/baseline/store.js';
import { parsePolicy, policyForPaths } from '../../src/policy/policy.js';
import { driftscan } from '../helpers/cli.js';
import { keys } from '../helpers/lib.js';

const HOST = 'db1\x1b[2K\r# driftscan: clean\x07\u202e';
const ESCAPED = 'db1\\x1b[2K\\r# driftscan: clean\\x07\\xe2\\x80\\xae';
/** Nothing that a terminal would act on: no C0 or C1 control but the newline, no bidi control. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

async function hostileBaseline(): Promise<{ file: string; pub: string; root: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-header-'));
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'srv'), { recursive: true });
  fs.writeFileSync(path.join(root, 'srv/f'), 'f\n');
  const baseline = await buildBaseline({
    root, policy: parsePolicy(policyForPaths(['/srv']), 'test policy'), signingKey: keys.privateKey,
    created: new Date(1_700_000_000_000), host: HOST, jobs: 1,
  });
  const file = path.join(dir, 'b.dsb');
  writeAtomic(file, seal(baseline, keys.privateKey));
  const pub = path.join(dir, 'k.pub');
  fs.writeFileSync(pub, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  return { file, pub, root };
}

describe('a host name with escape sequences in a signed baseline', () => {
  it('is printed escaped by verify, show --header and scan (text and json)', async () => {
    const { file, pub, root } = await hostileBaseline();
    const verify = driftscan(['verify', file, '--pubkey', pub]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`host ${ESCAPED}, created`);
    const header = driftscan(['show', file, '--pubkey', pub, '--header']);
    expect(header.stdout).toContain(`host: ${ESCAPED}\n`);
    for (const format of ['text', 'json', 'ndjson']) {
      const r = driftscan(['scan', file, '--pubkey', pub, '--root', root, '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(CONTROL);
    }
    for (const r of [verify, header]) expect(r.stdout + r.stderr).not.toMatch(CONTROL);
  });
});
