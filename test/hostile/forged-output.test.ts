/**
 * Output that cannot be forged: text that comes from the scanned tree
 * (package names from info/*.md5sums file names, owner names from the root's
 * /etc/passwd, xattr names, growing logs' paths, file content in diffs, the
 * package tool's messages) is escaped like a path in text, json, ndjson and
 * show. A name carrying `ESC[2K CR # driftscan: clean` must not erase a line
 * and print a fake verdict on a terminal.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { FORGE, FORGE_SHOWN, RAW_CONTROL, forgedPackageReport, forgedPackageRoot, render as renderReport } from '../helpers/forged.js';


let keyDir: string;
const key = () => path.join(keyDir, 'driftscan.key');
const pub = () => path.join(keyDir, 'driftscan.pub');

beforeAll(() => {
  keyDir = path.join(tempDir('ds-keys-'), 'k');
  expect(driftscan(['keygen', '--out', keyDir]).code).toBe(0);
});

function expectUnforged(output: string): void {
  expect(output).not.toMatch(RAW_CONTROL);
  expect(output.split('\n').filter((l) => l.startsWith('# driftscan: clean'))).toEqual([]);
}

describe('package names from md5sums file names (real dpkg root)', () => {
  it('are escaped in text, json and ndjson', () => {
    const { root, file } = forgedPackageRoot(key());

    const scan = (...args: string[]) => driftscan(['scan', file, '--pubkey', pub(), '--root', root, ...args]);
    const text = scan();
    expectUnforged(text.stdout);
    expect(text.stdout.split('\n')).toContain(`??5??????    /usr/bin/hello  [dpkg zz${FORGE_SHOWN} unexplained]`);
    expect(text.stdout).toMatch(/^# driftscan: NOT clean: /m);
    expect(text.code).toBe(4);
    for (const format of ['json', 'ndjson']) {
      const r = scan('--format', format);
      expectUnforged(r.stdout);
      expect(r.stdout).toContain(JSON.stringify(`zz${FORGE_SHOWN}`));
    }
  });
});

describe('show', () => {
  let root: string;
  let file: string;
  const OWNER = 'eve\x1b]0;owned\x07\u202e';

  beforeAll(() => {
    root = systemTree(tempDir('ds-forge-'), {
      'etc/passwd': `root:x:0:0::/root:/bin/sh\n${OWNER}:x:1500:1500::/:/bin/sh\n`,
      'etc/group': `root:x:0:\n${OWNER}:x:1500:\n`,
      'var/log/wtmp': 'w',
      [`var/log/app${FORGE}`]: 'log line\n',
    });
    fs.chownSync(at(root, 'usr/bin/ls'), 1500, 1500);
    execFileSync('setfattr', ['-n', `user.x${FORGE}`, '-v', 'v', at(root, 'usr/bin/ps').toString()]);
    const rules = path.join(path.dirname(root), `rules-${path.basename(root)}`);
    fs.writeFileSync(rules, 'use default\ninclude /var/log\ngrowing /var/log/app*\n');
    file = path.join(path.dirname(root), `${path.basename(root)}.dsb`);
    const r = driftscan(['baseline', '--root', root, '--rules', rules, '--key', key(), '-o', file]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('escapes owner and group names from the root\'s /etc/passwd and xattr names', () => {
    const r = driftscan(['show', file, '--pubkey', pub()]);
    expect(r.code).toBe(0);
    expectUnforged(r.stdout);
    const ls = r.stdout.split('\n').find((l) => l.endsWith(' /usr/bin/ls') || l.includes(' /usr/bin/ls  '))!;
    expect(ls).toContain('eve\\x1b]0;owned\\x07\\xe2\\x80\\xae eve\\x1b]0;owned\\x07\\xe2\\x80\\xae');
    expect(r.stdout).toContain(`xattrs: user.x${FORGE_SHOWN}="v"`);
  });

  it('escapes the growing logs\' paths in --header', () => {
    const r = driftscan(['show', file, '--pubkey', pub(), '--header']);
    expect(r.code).toBe(0);
    expectUnforged(r.stdout);
    expect(r.stdout).toMatch(new RegExp(`^growing: .*/var/log/app${FORGE_SHOWN.replace(/[\\[\]]/g, '\\$&')},9`, 'm'));
  });

  it('a scan escapes the owner and xattr names in json deltas', () => {
    fs.chownSync(at(root, 'usr/bin/ls'), 0, 0);
    execFileSync('setfattr', ['-n', `user.x${FORGE}`, '-v', 'w', at(root, 'usr/bin/ps').toString()]);
    const r = driftscan(['scan', file, '--pubkey', pub(), '--root', root, '--format', 'json']);
    expectUnforged(r.stdout);
    const doc = JSON.parse(r.stdout);
    const ls = doc.findings.find((f: { path: string }) => f.path === '/usr/bin/ls');
    expect(ls.deltas).toContainEqual({ attr: 'owner', old: 'eve\\x1b]0;owned\\x07\\xe2\\x80\\xae', new: 'root' });
    const ps = doc.findings.find((f: { path: string }) => f.path === '/usr/bin/ps');
    expect(ps.deltas).toContainEqual({ attr: 'xattrs', old: `user.x${FORGE_SHOWN}="v"`, new: `user.x${FORGE_SHOWN}="w"` });
  });
});

describe('content diffs', () => {
  it('are escaped in text and json (escape sequences, bidi overrides)', () => {
    const root = systemTree(tempDir('ds-forge-'), { 'etc/hosts': '127.0.0.1 localhost\n' });
    const file = path.join(path.dirname(root), `${path.basename(root)}.dsb`);
    expect(driftscan(['baseline', '/etc', '--root', root, '--key', key(), '-o', file]).code).toBe(0);
    fs.writeFileSync(at(root, 'etc/hosts'), `127.0.0.1 localhost\n${FORGE}\u202eevil\n`);
    const text = driftscan(['scan', file, '--pubkey', pub(), '--root', root]);
    expectUnforged(text.stdout);
    expect(text.stdout.split('\n')).toContain(`    +${FORGE_SHOWN}\\xe2\\x80\\xaeevil`);
    const json = driftscan(['scan', file, '--pubkey', pub(), '--root', root, '--format', 'json']);
    expectUnforged(json.stdout);
    const hosts = JSON.parse(json.stdout).findings.find((f: { path: string }) => f.path === '/etc/hosts');
    expect(hosts.details.content.split('\n')).toContain(`+${FORGE_SHOWN}\\xe2\\x80\\xaeevil`);
  });
});

describe('package tool messages, package changes and notes', () => {
  const report = forgedPackageReport(`n${FORGE}`);
  const render = (format: string) => renderReport(report, format);

  it('text: escaped, and a multi-line message stays on "#" lines', () => {
    const text = render('text');
    expectUnforged(text);
    expect(text.split('\n')).toEqual([
      `S.5......    /usr/bin/x  (${FORGE_SHOWN})  [rpm p${FORGE_SHOWN} unexplained]`,
      `# package installed: n${FORGE_SHOWN} v${FORGE_SHOWN} noarch`,
      `# rpm: Unsatisfied dependencies for p${FORGE_SHOWN}:`,
      `# \\tq is needed by p${FORGE_SHOWN}`,
      '# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 0 not checked, 1 package findings; 1 entries compared',
      '',
    ]);
  });

  it('json and ndjson: escaped', () => {
    for (const format of ['json', 'ndjson']) {
      const out = render(format);
      expectUnforged(out);
      expect(out).not.toContain('\\u001b');
    }
    const doc = JSON.parse(render('json'));
    expect(doc.findings[0]).toMatchObject({ package: `p${FORGE_SHOWN}`, note: `(${FORGE_SHOWN})` });
    expect(doc.packages.changes.installed).toEqual([{ name: `n${FORGE_SHOWN}`, version: `v${FORGE_SHOWN}`, arch: 'noarch' }]);
    expect(doc.diagnostics[0]).toBe(`rpm: Unsatisfied dependencies for p${FORGE_SHOWN}:\n\\tq is needed by p${FORGE_SHOWN}`);
    expect(doc.baseline.host).toBe(`h${FORGE_SHOWN}`);
  });
});
