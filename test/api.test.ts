/** The library API as the README shows it: baseline, seal, write, scan, report. */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as driftscan from '../src/index.js';
import { systemTree, tempDir } from './helpers/tree.js';

describe('library API', () => {
  it('takes a baseline, scans against it and reports, through index.ts alone', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const policy = driftscan.parsePolicy(driftscan.policyForPaths(['/usr', '/etc']));
    const baseline = await driftscan.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 });
    const file = path.join(tempDir(), 'api.dsb');
    driftscan.writeAtomic(file, driftscan.seal(baseline, privateKey));
    fs.writeFileSync(path.join(tree, 'usr/bin/ps'), 'ps binary v2\n');
    const { report, exitCode } = await driftscan.scan({ baselineFile: file, publicKey, root: tree, jobs: 1 });
    expect(exitCode).toBe(4);
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    driftscan.REPORTERS.ndjson!(report, out);
    expect(text.trim().split('\n').map((l) => JSON.parse(l)).map((f) => [f.status, f.flags, f.path])).toEqual([
      ['changed', '..5....T.', '/usr/bin/ps'],
    ]);
  });

  it('refuses a baseline signed with another key', async () => {
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const baseline = await driftscan.buildBaseline({ root: tree, policy: driftscan.parsePolicy('include /etc\n'), signingKey: a.privateKey, jobs: 1 });
    const file = path.join(tempDir(), 'k.dsb');
    driftscan.writeAtomic(file, driftscan.seal(baseline, a.privateKey));
    await expect(driftscan.scan({ baselineFile: file, publicKey: b.publicKey, root: tree })).rejects.toBeInstanceOf(driftscan.SignatureError);
  });

  it('reads package data while it walks: the promise\'s data is recorded, its failure is the run\'s error', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const policy = driftscan.parsePolicy('include /etc\n');
    const data: driftscan.PackageData = { manager: 'dpkg', packages: [{ name: 'base-files', version: '12.4', arch: 'amd64' }], files: {}, dbFiles: {} };
    const later = new Promise<driftscan.PackageData>((resolve) => setTimeout(() => resolve(data), 50));
    const built = await driftscan.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1, packages: later });
    expect(built.packages).toEqual(data);
    // Rejected before the walk ends: no unhandled rejection, the error surfaces from buildBaseline.
    const failing = Promise.reject(new driftscan.PackageToolError('dpkg: database unreadable'));
    await expect(driftscan.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1, packages: failing }))
      .rejects.toThrow('dpkg: database unreadable');
  });
});

describe('a baseline replaced while the scan walks', () => {
  it('is refused: the entries compared must be the ones whose signature was checked', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const policy = driftscan.parsePolicy('include /usr\n');
    const file = path.join(tempDir(), 'swap.dsb');
    const original = await driftscan.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 });
    driftscan.writeAtomic(file, driftscan.seal(original, privateKey));
    fs.writeFileSync(path.join(tree, 'usr/bin/ls'), 'trojan');
    // Another valid baseline, signed with the same key, taken of the tampered tree.
    const forged = driftscan.seal(await driftscan.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 }), privateKey);
    let swapped = false;
    const progress = () => {
      if (!swapped) fs.writeFileSync(file, forged);
      swapped = true;
    };
    await expect(driftscan.scan({ baselineFile: file, publicKey, root: tree, jobs: 1, progress }))
      .rejects.toThrow(/changed during the scan/);
    expect(swapped).toBe(true);
  });
});
