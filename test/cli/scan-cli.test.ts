/** The scan command as a user runs it: exact reports, exit codes, errors. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

let work: string;
let tree: string;
let file: string;
let pub: string;

beforeAll(() => {
  work = tempDir();
  tree = systemTree(tempDir(), { 'var/log/wtmp': 'w' });
  expect(driftscan(['keygen', '--out', path.join(work, 'k')]).code).toBe(0);
  pub = path.join(work, 'k/driftscan.pub');
  file = path.join(work, 't.dsb');
  const r = driftscan(['baseline', '/', '--root', tree, '--key', path.join(work, 'k/driftscan.key'), '-o', file]);
  expect(r.code).toBe(0);
  fs.appendFileSync(at(tree, 'etc/ssh/sshd_config'), 'PermitRootLogin yes\n');
  fs.unlinkSync(at(tree, 'usr/bin/ps'));
  fs.writeFileSync(at(tree, 'usr/bin/evil\nS.5....T.  c ~fake'), 'x');
});

const scan = (...args: string[]) => driftscan(['scan', file, '--pubkey', pub, '--root', tree, ...args]);

describe('scan', () => {
  it('text: rpm flag lines, missing and added, escaped names, summary; exit bits 1|2|4', () => {
    const r = scan();
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('.......') || l.includes('etc'))).toEqual([
      'S.5....T.  c /etc/ssh/sshd_config  ctime content',
      '    @@ -1,1 +1,2 @@',
      '     PermitRootLogin no',
      '    +PermitRootLogin yes',
      'added       /usr/bin/evil\\nS.5....T.  c ~fake',
      'missing     /usr/bin/ps',
      '# driftscan: NOT clean: 2 changed, 1 missing, 1 added, 0 not checked, 0 package findings; 13 entries compared',
    ]);
    expect(lines).toContain('.......T.    /usr/bin  ctime');
    expect(r.code).toBe(1 | 2 | 4);
  });

  it('json: header, summary and findings with old and new values', () => {
    const r = scan('--format', 'json');
    expect(r.code).toBe(7);
    const doc = JSON.parse(r.stdout);
    expect(doc.baseline).toMatchObject({ format: 2, root: tree });
    expect(doc.summary).toMatchObject({ changed: 2, missing: 1, added: 1, untested: 0, clean: false });
    const cfg = doc.findings.find((f: { path: string }) => f.path === '/etc/ssh/sshd_config');
    expect(cfg).toMatchObject({ status: 'changed', source: 'baseline', flags: 'S.5....T.', marker: 'c', kind: 'file', extra: ['ctime', 'content'] });
    expect(cfg.details.content).toBe('@@ -1,1 +1,2 @@\n PermitRootLogin no\n+PermitRootLogin yes');
    expect(cfg.deltas.find((d: { attr: string }) => d.attr === 'size')).toEqual({ attr: 'size', old: 19, new: 39 });
    const evil = doc.findings.find((f: { status: string }) => f.status === 'added');
    expect(evil.path).toBe('/usr/bin/evil\\nS.5....T.  c ~fake');
    expect(Buffer.from(evil.path_hex, 'hex').toString()).toBe('/usr/bin/evil\nS.5....T.  c ~fake');
  });

  it('ndjson: one finding per line', () => {
    const r = scan('--format', 'ndjson');
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => d.status).sort()).toEqual(['added', 'changed', 'changed', 'missing']);
  });

  it('-o writes the report to a file', () => {
    const out = path.join(work, 'report.json');
    const r = scan('--format', 'json', '-o', out);
    expect(r.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).summary.missing).toBe(1);
  });
});

describe('errors: one line, their own exit code, never a report', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['missing argument', ['scan'], 16, /missing required argument/],
    ['unknown option', ['scan', 'x', '--bogus'], 16, /unknown option/],
    ['unknown format', ['scan', 'FILE', '--format', 'xml'], 16, /unknown --format xml/],
    ['bad --jobs', ['scan', 'FILE', '--jobs', '0'], 16, /--jobs takes a whole number/],
    ['no such baseline', ['scan', '/no/such/baseline.dsb'], 17, /cannot read baseline/],
    ['not a baseline', ['scan', '/etc/hostname'], 18, /not a driftscan baseline/],
    ['unreadable root', ['scan', 'FILE', '--root', '/no/such/root'], 20, /cannot use --root/],
  ];
  for (const [name, args, code, message] of cases) {
    it(name, () => {
      const r = driftscan([...args.map((a) => (a === 'FILE' ? file : a)), '--pubkey', pub]);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    });
  }

  it('wrong public key', () => {
    expect(driftscan(['keygen', '--out', path.join(work, 'other')]).code).toBe(0);
    const r = driftscan(['scan', file, '--pubkey', path.join(work, 'other/driftscan.pub'), '--root', tree]);
    expect(r.code).toBe(19);
    expect(r.stdout).toBe('');
  });

  it('a bad rules file names its line', () => {
    const rules = path.join(work, 'bad.rules');
    fs.writeFileSync(rules, 'include /\nattrs /** -colour\n');
    const r = driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--rules', rules]);
    expect(r.code).toBe(22);
    expect(r.stderr).toMatch(/bad\.rules:2: unknown attribute 'colour'/);
  });

  it('--no-verify is loud and never clean', () => {
    const clean = systemTree(tempDir());
    const f = path.join(work, 'clean.dsb');
    expect(driftscan(['baseline', '/', '--root', clean, '--key', path.join(work, 'k/driftscan.key'), '-o', f]).code).toBe(0);
    expect(driftscan(['scan', f, '--pubkey', pub, '--root', clean]).code).toBe(0);
    const r = driftscan(['scan', f, '--no-verify', '--root', clean]);
    expect(r.stderr).toMatch(/WARNING: --no-verify/);
    expect(r.stdout).toMatch(/NOT clean/);
    expect(r.code).toBe(8);
  });
});
