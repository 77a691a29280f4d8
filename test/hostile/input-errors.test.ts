/**
 * Bad rules files and command lines: a one-line error that names what is
 * wrong, exit 22 for rules and 16 for usage, and nothing written or scanned.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let work: string;
let tree: string;
let file: string;
let key: string;
let pub: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir());
  ({ key, pub } = keygen(path.join(work, 'k')));
  file = path.join(work, 't.dsb');
  expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
});

describe('rules files: exit 22, the file, the line and the fault', () => {
  const RULES: Array<[string, string, RegExp]> = [
    ['unclosed [ in a glob', 'include /\nexclude /srv/[abc\n', /:2: unclosed \[ in glob/],
    ['empty [!] in a glob', 'include /\nconfig /etc/[!]\n', /:2: empty \[\] in glob/],
    ['trailing backslash', 'include /\nexclude /srv/x\\\n', /:2: trailing \\ in glob/],
    ['relative pattern', 'include /\nexclude srv/x\n', /:2: exclude srv\/x can never match: a pattern must be an absolute path/],
    ['unknown attribute', 'include /\nattrs /** +colour\n', /:2: unknown attribute 'colour' \(known: /],
    ['attrs without changes', 'include /\nattrs /**\n', /:2: attrs needs at least one/],
    ['unknown directive', 'include /\nincldue /etc\n', /:2: unknown directive 'incldue'/],
    ['use default not first', 'include /\nuse default\n', /:2: 'use default' must come before/],
    ['relative include', 'include etc\n', /:1: include needs an absolute path: etc/],
    ['two paths on one line', 'include /etc /usr\n', /:1: include takes exactly one path/],
    ['no include', '# nothing\nexclude /tmp\n', /: no include directive; nothing to walk/],
    ['an argument to cross-filesystems', 'include /\ncross-filesystems yes\n', /:2: cross-filesystems takes no argument/],
  ];
  for (const [name, text, message] of RULES) {
    it(name, () => {
      const rules = path.join(work, `${name.replace(/\W+/g, '-')}.rules`);
      fs.writeFileSync(rules, text);
      const out = path.join(work, 'never.dsb');
      for (const args of [['policy', '--check', rules], ['baseline', '/', '--root', tree, '--key', key, '--rules', rules, '-o', out]]) {
        const r = driftscan(args);
        expect(r.code, r.stderr).toBe(22);
        expect(r.stderr).toMatch(/^driftscan: error: [^\n]+\n$/);
        expect(r.stderr).toContain(rules);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe('');
      }
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  it('an unreadable rules file', () => {
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--rules', path.join(work, 'no-such.rules')]);
    expect(r.code).toBe(22);
    expect(r.stderr).toMatch(/^driftscan: error: cannot read rules file .*no-such\.rules: ENOENT\n$/);
  });
});

describe('command lines: exit 16, never 1, naming the option', () => {
  const CASES: Array<[string, string[], RegExp]> = [
    ['unknown command', ['scna', 'FILE'], /unknown command 'scna'\n\(Did you mean scan\?\)/],
    ['missing baseline argument', ['scan'], /missing required argument 'baseline'/],
    ['unknown option', ['scan', 'FILE', '--colour'], /unknown option '--colour'/],
    ['option without its value', ['scan', 'FILE', '--root'], /option '--root <dir>' argument missing/],
    ['--jobs not a number', ['scan', 'FILE', '--jobs', 'many'], /--jobs takes a whole number from 1 to 256, not 'many'/],
    ['--jobs 0', ['baseline', '--jobs', '0'], /--jobs takes a whole number from 1 to 256, not '0'/],
    ['--jobs 100000', ['scan', 'FILE', '--jobs', '100000'], /not '100000'/],
    ['unknown format', ['scan', 'FILE', '--format', 'xml'], /unknown --format xml \(known: text, rpm, json, ndjson, sarif, junit, ecs\)/],
    ['unknown package manager', ['scan', 'FILE', '--packages', 'yum'], /--packages takes auto, none, rpm or dpkg, not 'yum'/],
    ['negative timeout', ['scan', 'FILE', '--package-timeout', '-5'], /--package-timeout takes a number of seconds from 0\.001 to 2147483, not '-5'/],
    // Node's timers hold 2^31-1 ms: a longer timeout used to fire after 1 ms.
    ['timeout past what a timer holds', ['scan', 'FILE', '--package-timeout', '2147484'], /--package-timeout takes a number of seconds from 0\.001 to 2147483, not '2147484'/],
    ['timeout in exponent notation', ['scan', 'FILE', '--package-timeout', '1e3'], /not '1e3'/],
    ['timeout below a millisecond', ['scan', 'FILE', '--package-timeout', '0.0001'], /not '0\.0001'/],
    ['no command at all', [], /^driftscan: error: no command given \(driftscan --help lists them\)\n$/],
    ['relative start path', ['baseline', 'etc', '--root', 'TREE', '--key', 'KEY'], /paths must be absolute \(relative to the root\): etc/],
    // A typo of the operator's, not a rules file's (was exit 22, "command line:1").
    ['start path with a dot component', ['baseline', '/etc/.', '--root', 'TREE', '--key', 'KEY'], /start path \/etc\/\. has a '\.' or '\.\.' component/],
    ['start path with a dot-dot component', ['baseline', '/usr/../etc', '--root', 'TREE', '--key', 'KEY'], /start path \/usr\/\.\.\/etc has a '\.' or '\.\.' component/],
    ['--no-verify with --pubkey', ['scan', 'FILE', '--no-verify', '--pubkey', 'PUB'], /--no-verify and --pubkey conflict/],
    ['scan -o onto the baseline itself', ['scan', 'FILE', '--pubkey', 'PUB', '-o', 'FILE'], /-o .*t\.dsb is the baseline file; refusing to overwrite it/],
    ['baseline -o onto the signing key', ['baseline', '--root', 'TREE', '--key', 'KEY', '-o', 'KEY'], /-o .*driftscan\.key is the signing key; refusing/],
    ['show --header with --packages', ['show', 'FILE', '--pubkey', 'PUB', '--header', '--packages'], /--header and --packages conflict/],
    // A typo in the path listed nothing and exited 0, which reads as "recorded, and nothing there".
    ['show of a path the baseline does not hold', ['show', 'FILE', '/usr/bin/sl', '--pubkey', 'PUB'], /^driftscan: error: \/usr\/bin\/sl is not in the baseline \(nothing recorded at or below it\)\n$/],
  ];
  for (const [name, args, message] of CASES) {
    it(name, () => {
      const before = fs.readFileSync(file);
      const keyBefore = fs.readFileSync(key);
      const sub = { FILE: file, TREE: tree, KEY: key, PUB: pub } as Record<string, string>;
      const r = driftscan(args.map((a) => sub[a] ?? a));
      expect(r.code, r.stderr).toBe(16);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      // One line; commander may add its "(Did you mean ...?)".
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(Did you mean'))).toHaveLength(1);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readFileSync(key).equals(keyBefore)).toBe(true);
    });
  }
});

it('show of a path the baseline holds lists it and what is below it', () => {
  const r = driftscan(['show', file, '/usr/bin/', '--pubkey', pub]);
  expect(r.code, r.stderr).toBe(0);
  const paths = r.stdout.trim().split('\n').map((l) => / (\/\S*)/.exec(l)?.[1]);
  expect(paths[0]).toBe('/usr/bin');
  expect(paths.length).toBeGreaterThan(1);
  expect(paths.every((p) => p === '/usr/bin' || p!.startsWith('/usr/bin/'))).toBe(true);
});

describe('SOURCE_DATE_EPOCH: checked before the walk, exit 16', () => {
  for (const value of ['99999999999999999', '8640000000001', '-1', '1.5', 'yesterday']) {
    it(`'${value}'`, () => {
      const out = path.join(work, 'epoch.dsb');
      const r = driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', out, '--packages', 'none'], { SOURCE_DATE_EPOCH: value });
      expect(r.code, r.stderr).toBe(16);
      expect(r.stderr).toBe(`driftscan: error: SOURCE_DATE_EPOCH takes whole seconds since 1970, from 0 to 8640000000000, not '${value}'\n`);
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  it('the largest a date holds, and empty (unset), are accepted', () => {
    const out = path.join(work, 'epoch.dsb');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', out, '--packages', 'none'], { SOURCE_DATE_EPOCH: '8640000000000' }).code).toBe(0);
    const header = driftscan(['show', out, '--pubkey', pub, '--header']).stdout;
    expect(header).toContain('created: +275760-09-13T00:00:00.000Z');
    expect(driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', out, '--packages', 'none'], { SOURCE_DATE_EPOCH: '' }).code).toBe(0);
  });
});

describe('DRIFTSCAN_DPKG_VERIFY: checked before the walk, exit 16', () => {
  it('a typo for tool is a usage error, not a quiet run of the other verifier', () => {
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree], { DRIFTSCAN_DPKG_VERIFY: 'tol' });
    expect(r.code, r.stderr).toBe(16);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("driftscan: error: DRIFTSCAN_DPKG_VERIFY takes tool or native, not 'tol'\n");
  });

  it('tool, native and empty are accepted', () => {
    for (const value of ['tool', 'native', '']) {
      const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none'], { DRIFTSCAN_DPKG_VERIFY: value });
      expect(r.code, `${value}: ${r.stderr}`).toBe(0);
    }
  });
});
