/**
 * Rules files as operators write them: directive words inside comments, and
 * patterns that can never match a walked path. Comments never act; a pattern
 * is normalised (a trailing slash) or refused with its file and line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keyedCli, type KeyedCli } from '../helpers/cli.js';
import { keys as libKeys, scanTree } from '../helpers/lib.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { writeAtomic } from '../../src/baseline/store.js';
import { DEFAULT_POLICY } from '../../src/policy/default.js';
import { parseStoredPolicy } from '../../src/policy/policy.js';

let keys: KeyedCli;
let n = 0;

beforeAll(() => {
  keys = keyedCli();
});

function rulesFile(text: string): string {
  const file = path.join(keys.work, `r${++n}.rules`);
  fs.writeFileSync(file, text);
  return file;
}

function baselineAndScan(tree: string, rules: string) {
  const b = keys.baseline(tree, ['--rules', rules, '--packages', 'none']);
  const s = b.code === 0 ? keys.scan(b.out, tree, ['--packages', 'none']) : undefined;
  return { b, s, out: b.out };
}

describe('directives inside comments never act', () => {
  const comments: Array<[string, string]> = [
    ['a comment naming use default before the directive', '# we use default and add /srv\nuse default\ninclude /srv\n'],
    ['a trailing comment naming use default', 'use default # use default, then /srv\ninclude /srv # not: use default\n'],
    ['comments naming every directive', '# include /nope\n# exclude /srv\n# use default\ninclude /srv # exclude /srv/app\n' +
      '#attrs /** none\n  # cross-filesystems\nconfig /srv/** # growing /srv/**\n'],
  ];
  for (const [name, text] of comments) {
    it(`${name}: the stored policy re-parses and a scan of the untouched tree is clean`, () => {
      const tree = systemTree(tempDir(), { 'srv/app/conf': 'port 80\n' });
      const { b, s } = baselineAndScan(tree, rulesFile(text));
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).not.toContain('warning');
      expect(s!.stderr).toBe('');
      expect(s!.code, s!.stdout).toBe(0);
      expect(s!.stdout).toMatch(/# driftscan: clean: /);
    });
  }

  it('a commented-out exclude does not exclude, a commented-out include does not walk', () => {
    const tree = systemTree(tempDir(), { 'srv/app/conf': 'port 80\n', 'opt/x': '1\n' });
    const { b, out } = baselineAndScan(tree, rulesFile('include /srv # exclude /srv/app\n# include /opt\n'));
    expect(b.code, b.stderr).toBe(0);
    const shown = driftscan(['show', out, '--pubkey', keys.pub]).stdout;
    expect(shown).toContain('/srv/app/conf');
    expect(shown).not.toContain('/opt');
  });
});

describe('patterns that could never match', () => {
  it('a trailing slash is dropped: exclude /srv/app/doc/ excludes the directory', () => {
    const tree = systemTree(tempDir(), { 'srv/app/doc/README': 'doc\n', 'srv/app/bin/run': 'run\n' });
    const { b, out } = baselineAndScan(tree, rulesFile('include /srv/\nexclude /srv/app/doc/\nconfig /srv//app/bin/\n'));
    expect(b.code, b.stderr).toBe(0);
    const shown = driftscan(['show', out, '--pubkey', keys.pub]).stdout;
    expect(shown).toContain('/srv/app/bin/run');
    expect(shown).not.toContain('/srv/app/doc');
    const check = driftscan(['policy', '--check', rulesFile('include /srv/\nexclude /srv/app/doc/\n'), '--root', tree]);
    expect(check.code).toBe(0);
    expect(check.stderr).toBe('');
  });

  const refused: Array<[string, string, RegExp]> = [
    ['exclude *.log', 'include /srv\nexclude *.log\n', /:2: exclude \*\.log can never match: a pattern must be an absolute path or start with \*\* \(did you mean \/\*\*\/\*\.log\?\)$/],
    ['a relative exclude', 'include /srv\nexclude srv/app\n', /:2: exclude srv\/app can never match/],
    ['a relative config glob', 'include /srv\nconfig app/*.conf\n', /:2: config app\/\*\.conf can never match/],
    ['growing *.log', 'include /srv\ngrowing *.log\n', /:2: growing \*\.log can never match/],
    ['attrs on a relative glob', 'include /srv\nattrs *.conf +content\n', /:2: attrs \*\.conf can never match/],
    ['a .. component', 'include /srv\nexclude /srv/app/../doc\n', /:2: exclude \/srv\/app\/\.\.\/doc can never match: walked paths have no '\.' or '\.\.' component/],
    ['an include with a . component', 'include /srv/./app\n', /:1: include \/srv\/\.\/app can never match/],
    ['include-if-present with a glob', 'include /srv\ninclude-if-present /opt/*\n', /:2: include-if-present takes a literal path, not a glob/],
  ];
  for (const [name, text, message] of refused) {
    it(`${name}: policy --check and baseline exit 22 naming file:line and why`, () => {
      const rules = rulesFile(text);
      const check = driftscan(['policy', '--check', rules]);
      expect(check.code).toBe(22);
      expect(check.stdout).toBe('');
      expect(check.stderr.split('\n')).toHaveLength(2);
      expect(check.stderr.trimEnd()).toMatch(new RegExp(`^driftscan: error: ${rules.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${message.source}`));
      const tree = systemTree(tempDir(), { 'srv/app/x.log': 'log\n' });
      expect(baselineAndScan(tree, rules).b.code).toBe(22);
    });
  }

  it('a ** glob still matches at any depth (not refused)', () => {
    const tree = systemTree(tempDir(), { 'srv/app/x.log': 'log\n', 'srv/app/y.conf': 'y\n' });
    const { b, out } = baselineAndScan(tree, rulesFile('include /srv\nexclude **/*.log\n'));
    expect(b.code, b.stderr).toBe(0);
    const shown = driftscan(['show', out, '--pubkey', keys.pub]).stdout;
    expect(shown).toContain('/srv/app/y.conf');
    expect(shown).not.toContain('x.log');
  });
});

describe('baselines taken before these checks stay usable', () => {
  it('a stored policy with a never-matching glob and a second use default (the old comment bug) scans as it was walked', async () => {
    const tree = systemTree(tempDir(), { 'srv/app/x.log': 'log\n' });
    // What 0.1.0 stored for '# use default ...\nuse default\ninclude /srv\nexclude *.log': the default
    // policy, then the directive itself, left behind when the comment line was removed instead.
    const old = DEFAULT_POLICY + '\n# --- extended by site.rules\n\nuse default\ninclude /srv\nexclude *.log\n';
    const policy = parseStoredPolicy(old);
    const baseline = await buildBaseline({ root: tree, policy, signingKey: libKeys.privateKey, jobs: 1 });
    expect(baseline.header.policy).toBe(old);
    expect(baseline.entries.map((e) => e.path)).toContain('/srv/app/x.log');
    const file = path.join(keys.work, 'old.dsb');
    writeAtomic(file, seal(baseline, libKeys.privateKey));
    const result = await scanTree(tree, file);
    expect(result.report.findings).toEqual([]);
    expect(result.exitCode).toBe(0);
  });
});

describe('an include whose whole subtree is excluded is told by policy --check', () => {
  it('warns for include / with exclude /** (one directory recorded, clean forever), names the line', () => {
    const rules = rulesFile('include /\nexclude /**\n');
    const r = driftscan(['policy', '--check', rules]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`driftscan: warning: ${rules}:1: include /: every path below it is excluded; only / itself is recorded\n`);
  });

  it('warns for each emptied start, and not for a start that keeps some children', () => {
    const rules = rulesFile('include /\nexclude /*\ninclude /etc\nexclude /etc/*\ninclude /usr\nexclude /usr/.*\n');
    const r = driftscan(['policy', '--check', rules]);
    expect(r.stderr.trim().split('\n')).toEqual([
      `driftscan: warning: ${rules}:1: include /: every path below it is excluded; only / itself is recorded`,
      `driftscan: warning: ${rules}:3: include /etc: every path below it is excluded; only /etc itself is recorded`,
    ]);
  });

  it('the default policy draws no warning', () => {
    const r = driftscan(['policy', '--check', rulesFile(DEFAULT_POLICY)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});
