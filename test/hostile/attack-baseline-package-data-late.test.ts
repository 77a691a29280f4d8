/**
 * Attack: a signed baseline (a stolen key, or --no-verify) whose package
 * data is malformed. A scan decodes the package data's big sections only
 * once its walk has started (gather.ts's interlude), and a scan with
 * --packages none never decodes them: still, the scan must refuse the
 * baseline as corrupt (exit 18, one line) whichever way it runs, never
 * report on a file it did not wholly read. `verify` must refuse it too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, treePolicy } from '../helpers/lib.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { driftscan } from '../helpers/cli.js';
import type { PackageData } from '../../src/types.js';

describe('malformed package data in a signed baseline', () => {
  it('is refused by scan (every --packages choice) and by verify, exit 18, one line', async () => {
    const dir = tempDir();
    const root = makeTree(dir, { 'srv/a': 'a', 'srv/b': 'b' });
    const baseline = await buildBaseline({ root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 1 });
    // A package name that is not text: the package data's reader calls it malformed.
    baseline.packages = { manager: 'dpkg', packages: [{ name: 5 as unknown as string, version: '1', arch: 'all' }], files: {}, dbFiles: {} } satisfies PackageData;
    const file = path.join(dir, 'bad.dsb');
    fs.writeFileSync(file, seal(baseline, keys.privateKey));
    const pub = path.join(dir, 'k.pub');
    fs.writeFileSync(pub, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    for (const packages of ['none', 'auto', 'dpkg']) {
      const r = driftscan(['scan', file, '--pubkey', pub, '--root', root, '--packages', packages]);
      expect([r.code, r.stdout], packages).toEqual([18, '']);
      expect(r.stderr.trim().split('\n'), packages).toEqual(['driftscan: error: baseline package data is malformed']);
    }
    const v = driftscan(['verify', file, '--pubkey', pub]);
    expect(v.code).toBe(18);
    expect(v.stderr.trim()).toBe('driftscan: error: baseline package data is malformed');
  }, 60_000);
});
