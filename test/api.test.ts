/** The library API as the README shows it: baseline, seal, write, scan, report. */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as driftscanLib from '../src/index.js';
import { systemTree, tempDir } from './helpers/tree.js';
import { driftscan, keygen } from './helpers/cli.js';

describe('library API', () => {
  it('takes a baseline, scans against it and reports, through index.ts alone', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const policy = driftscanLib.parsePolicy(driftscanLib.policyForPaths(['/usr', '/etc']));
    const baseline = await driftscanLib.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 });
    const file = path.join(tempDir(), 'api.dsb');
    driftscanLib.writeAtomic(file, driftscanLib.seal(baseline, privateKey));
    fs.writeFileSync(path.join(tree, 'usr/bin/ps'), 'ps binary v2\n');
    const { report, exitCode } = await driftscanLib.scan({ baselineFile: file, publicKey, root: tree, jobs: 1 });
    expect(exitCode).toBe(4);
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    driftscanLib.REPORTERS.ndjson!(report, out);
    expect(text.trim().split('\n').map((l) => JSON.parse(l)).map((f) => [f.status, f.flags, f.path])).toEqual([
      ['changed', '..5....T.', '/usr/bin/ps'],
    ]);
  });

  it('refuses a baseline signed with another key', async () => {
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const baseline = await driftscanLib.buildBaseline({ root: tree, policy: driftscanLib.parsePolicy('include /etc\n'), signingKey: a.privateKey, jobs: 1 });
    const file = path.join(tempDir(), 'k.dsb');
    driftscanLib.writeAtomic(file, driftscanLib.seal(baseline, a.privateKey));
    await expect(driftscanLib.scan({ baselineFile: file, publicKey: b.publicKey, root: tree })).rejects.toBeInstanceOf(driftscanLib.SignatureError);
  });

  it('reads package data while it walks: the promise\'s data is recorded, its failure is the run\'s error', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const policy = driftscanLib.parsePolicy('include /etc\n');
    const data: driftscanLib.PackageData = { manager: 'dpkg', packages: [{ name: 'base-files', version: '12.4', arch: 'amd64' }], files: {}, dbFiles: {} };
    const later = new Promise<driftscanLib.PackageData>((resolve) => setTimeout(() => resolve(data), 50));
    const built = await driftscanLib.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1, packages: later });
    expect(built.packages).toEqual(data);
    // Rejected before the walk ends: no unhandled rejection, the error surfaces from buildBaseline.
    const failing = Promise.reject(new driftscanLib.PackageToolError('dpkg: database unreadable'));
    await expect(driftscanLib.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1, packages: failing }))
      .rejects.toThrow('dpkg: database unreadable');
  });
});

describe('a baseline replaced while the scan walks', () => {
  it('is refused: the entries compared must be the ones whose signature was checked', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const tree = systemTree(tempDir());
    const policy = driftscanLib.parsePolicy('include /usr\n');
    const file = path.join(tempDir(), 'swap.dsb');
    const original = await driftscanLib.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 });
    driftscanLib.writeAtomic(file, driftscanLib.seal(original, privateKey));
    fs.writeFileSync(path.join(tree, 'usr/bin/ls'), 'trojan');
    // Another valid baseline, signed with the same key, taken of the tampered tree.
    const forged = driftscanLib.seal(await driftscanLib.buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 }), privateKey);
    let swapped = false;
    const progress = () => {
      if (!swapped) fs.writeFileSync(file, forged);
      swapped = true;
    };
    // Either the bytes read after the swap are caught (their digest is not the one verified), or every
    // entry compared had been read before it: then the trojan shows against the verified baseline.
    const outcome = await driftscanLib.scan({ baselineFile: file, publicKey, root: tree, jobs: 1, progress }).then(
      (r) => r.report.findings.filter((f) => f.path === '/usr/bin/ls').map((f) => f.status),
      (err: Error) => err.message,
    );
    expect(swapped).toBe(true);
    if (typeof outcome === 'string') expect(outcome).toMatch(/changed during the scan/);
    else expect(outcome).toEqual(['changed']);
  });
});

describe('takeBaseline', () => {
  it('gives the very bytes `driftscan baseline` writes (same tree, key, time, paths, --fast, --rules)', async () => {
    const tree = systemTree(tempDir());
    const work = tempDir();
    const { key } = keygen(path.join(work, 'k'));
    const rules = path.join(work, 'rules');
    fs.writeFileSync(rules, 'use default\nattrs /etc/ssh/* +content\n');
    const cliFile = path.join(work, 'cli.dsb');
    const r = driftscan(['baseline', '--root', tree, '--key', key, '--rules', rules, '--fast', '--packages', 'none', '-o', cliFile, '/etc', '/usr']);
    expect(r.code, r.stderr).toBe(0);
    const { sealed, baseline } = await driftscanLib.takeBaseline({
      root: fs.realpathSync(tree), paths: ['/etc', '/usr'], policy: driftscanLib.parsePolicy(fs.readFileSync(rules, 'utf8'), rules),
      fast: true, packages: 'none', signingKey: driftscanLib.loadPrivateKey(key), created: new Date(1_700_000_000_000), jobs: 1,
    });
    expect(baseline.header.policy).toContain('# --fast: xxh64 only');
    expect(sealed.equals(fs.readFileSync(cliFile))).toBe(true);
  });

  it('refuses a start path that is not there before it asks for the key', async () => {
    let asked = false;
    await expect(driftscanLib.takeBaseline({ root: tempDir(), paths: ['/nope'], signingKey: () => { asked = true; throw new Error('asked'); } }))
      .rejects.toBeInstanceOf(driftscanLib.RootError);
    expect(asked).toBe(false);
  });
});
