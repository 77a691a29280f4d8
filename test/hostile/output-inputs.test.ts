/**
 * `-o` naming something the command reads, or a key: refused before anything
 * is walked or written (exit 16, one line), whatever the spelling (a hard
 * link, `dir/../name`), and for the default key pair whether or not the
 * command was given a key, even before the default key exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let work: string;
let tree: string;
let home: string;
let key: string;
let pub: string;
let file: string;
let rules: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir());
  home = path.join(work, 'home');
  keygen(home); // the default key pair (DRIFTSCAN_HOME)
  ({ key, pub } = keygen(path.join(work, 'other')));
  file = path.join(work, 't.dsb');
  rules = path.join(work, 'scan.rules');
  fs.writeFileSync(rules, 'include /\n');
  expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none'], { DRIFTSCAN_HOME: home }).code).toBe(0);
});

function snapshot(): Map<string, Buffer> {
  const files = [file, rules, key, pub, path.join(home, 'driftscan.key'), path.join(home, 'driftscan.pub')];
  return new Map(files.map((f) => [f, fs.readFileSync(f)]));
}

function refused(args: string[], what: RegExp, env: Record<string, string> = { DRIFTSCAN_HOME: home }): void {
  const before = snapshot();
  const r = driftscan(args, env);
  expect(r.code, r.stderr).toBe(16);
  expect(r.stderr).toMatch(/^driftscan: error: -o [^\n]+; refusing to overwrite it\n$/);
  expect(r.stderr).toMatch(what);
  expect(r.stdout).toBe('');
  for (const [f, bytes] of before) expect(fs.readFileSync(f).equals(bytes), f).toBe(true);
}

const baseline = (...more: string[]) => ['baseline', '/', '--root', tree, '--packages', 'none', ...more];
const scan = (...more: string[]) => ['scan', file, '--root', tree, '--packages', 'none', ...more];

describe('scan -o', () => {
  it('the default private key, though scan never reads it', () =>
    refused(scan('--pubkey', pub, '-o', path.join(home, 'driftscan.key')), /is the default private key/));
  it('the default public key, with no --pubkey given', () =>
    refused(scan('-o', path.join(home, 'driftscan.pub')), /is the default public key/));
  it('the default public key, though another --pubkey is given', () =>
    refused(scan('--pubkey', pub, '-o', path.join(home, 'driftscan.pub')), /is the default public key/));
  it('the --rules file', () => refused(scan('--pubkey', pub, '--rules', rules, '-o', rules), /is the rules file/));
  it('the baseline, spelled dir/../name', () =>
    refused(scan('--pubkey', pub, '-o', path.join(work, 'home', '..', 't.dsb')), /is the baseline file/));
  it('the baseline through a hard link', () => {
    const link = path.join(tempDir(), 'hard.dsb');
    fs.linkSync(file, link);
    refused(scan('--pubkey', pub, '-o', link), /is the baseline file/);
  });
  it('a key pair that is no input at all: any PEM key, whatever its name', () =>
    refused(scan('--pubkey', pub, '-o', path.join(work, 'other', 'driftscan.key')), /is a key file/));
});

describe('baseline -o', () => {
  it('the default private key, though --key names another', () =>
    refused(baseline('--key', key, '-o', path.join(home, 'driftscan.key')), /is the default private key/));
  it('the default public key, signing with the default key', () =>
    refused(baseline('-o', path.join(home, 'driftscan.pub')), /is the default public key/));
  it('the public key beside --key', () => refused(baseline('--key', key, '-o', pub), /is a key file/));
  it('the rules file', () => refused(baseline('--key', key, '--rules', rules, '-o', rules), /is the rules file/));

  it('the default key before it exists: refused before the key is created, nothing created', () => {
    const fresh = path.join(tempDir(), 'keys');
    const r = driftscan(baseline('-o', path.join(fresh, 'driftscan.key')), { DRIFTSCAN_HOME: fresh });
    expect(r.code).toBe(16);
    expect(r.stderr).toBe(`driftscan: error: -o ${path.join(fresh, 'driftscan.key')} is the default private key; refusing to overwrite it\n`);
    expect(fs.existsSync(fresh)).toBe(false);
  });

  it('a file that only looks like a key name is written', () => {
    const out = path.join(tempDir(), 'driftscan.key');
    const r = driftscan(baseline('--key', key, '-o', out), { DRIFTSCAN_HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(driftscan(['verify', out, '--pubkey', pub]).code).toBe(0);
  });
});

describe('inputs that cannot be looked at', () => {
  it('a default key directory the user may not search: not an error, the check goes on', () => {
    const home = path.join(tempDir(), 'root-only');
    keygen(home); // 0700, root's
    const shared = path.join(tempDir(), 'shared.dsb');
    expect(driftscan(baseline('--key', key, '-o', shared, '--mode', '0644')).code).toBe(0);
    const out = path.join(tempDir(), 'r.txt');
    fs.chmodSync(path.dirname(out), 0o777);
    const r = driftscan(['scan', shared, '--no-verify', '--root', tree, '--packages', 'none', '-o', out], { DRIFTSCAN_HOME: home }, 65534);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(8); // --no-verify: incomplete, otherwise clean
    expect(fs.existsSync(out)).toBe(true);
  });
});

describe('keygen --out', () => {
  it('onto a file: exit 21, one line, the file unchanged', () => {
    const r = driftscan(['keygen', '--out', file]);
    expect(r.code).toBe(21);
    expect(r.stderr).toBe(`driftscan: error: cannot create key directory ${file}: EEXIST\n`);
    expect(driftscan(['verify', file, '--pubkey', pub]).code).toBe(0);
  });

  it('onto an existing pair: exit 21, both keys unchanged', () => {
    const before = snapshot();
    const r = driftscan(['keygen', '--out', home]);
    expect(r.code).toBe(21);
    expect(r.stderr).toMatch(/^driftscan: error: .*driftscan\.pub exists; refusing to overwrite a key\n$/);
    for (const [f, bytes] of before) expect(fs.readFileSync(f).equals(bytes)).toBe(true);
  });
});
