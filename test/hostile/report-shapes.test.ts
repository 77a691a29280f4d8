/**
 * Reporters that crash: every finding shape renders in every format, one
 * well-formed line or object carrying its path. And the shape that crashed
 * the text report (exit 23, `reading 'padEnd'`): a dpkg finding with status
 * `changed` and no flags, made when dpkg's md5sums were edited to hide a
 * trojan, here on real dpkg roots with absolute-path and CRLF md5sums lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REPORTERS, type Report } from '../../src/report/reporters.js';
import { exitBits, summarize } from '../../src/report/summary.js';
import type { Finding, FindingSource, FindingStatus } from '../../src/types.js';
import { displayPath } from '../../src/paths.js';
import { buildDeb, hash, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

const STATUSES: FindingStatus[] = ['changed', 'missing', 'added', 'untested'];
const SOURCES: FindingSource[] = ['baseline', 'rpm', 'dpkg'];
const FLAGS = [undefined, 'S.5....T.', '??5??????'];
const MARKERS = [undefined, ' ', 'c', 'd'];
const TRIAGES = [undefined, 'explained', 'unexplained', 'preexisting'] as const;
const PATH = '/usr/bin/odd name\nS.5....T.  c /fake';

function render(format: string, findings: Finding[]): string {
  const report: Report = {
    header: { format: 1, tool: 't', host: 'h', created: 'c', root: '/', policy: 'include /', attrs: [], keyId: 'k', unlisted: [] },
    root: '/', findings, summary: summarize(findings, 1), diagnostics: [],
  };
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  REPORTERS[format]!(report, out);
  return text;
}

function* shapes(): Generator<Finding> {
  for (const status of STATUSES) for (const source of SOURCES) for (const flags of FLAGS) for (const marker of MARKERS) {
    for (const triage of source === 'baseline' ? [undefined] : TRIAGES) {
      const f: Finding = { path: PATH, status, source, deltas: [], extra: [], untested: {} };
      if (flags !== undefined) f.flags = flags;
      if (marker !== undefined) f.marker = marker;
      if (source !== 'baseline') Object.assign(f, { package: 'pkg', note: '(replaced)', outsidePolicy: triage === 'unexplained' });
      if (triage) f.triage = triage;
      if (status === 'untested') f.untested = { sha256: 'EACCES' };
      if (status === 'changed' && source === 'baseline') Object.assign(f, { extra: ['ctime'], details: { content: '@@ -1 +1 @@\n-a\n+b' } });
      yield f;
    }
  }
}

const HEAD = /^(?:[SM5DLUGTP.?]{9} {2}[a-z ]|(?:changed|missing|added|untested) +[a-z ]) /;

describe('every status x source x flags x marker x triage renders in every format', () => {
  const all = [...shapes()];

  it(`text: one line with the escaped path (${all.length} shapes)`, () => {
    for (const f of all) {
      const lines = render('text', [f]).split('\n').filter(Boolean);
      const own = lines.filter((l) => !l.startsWith('#') && !l.startsWith('    '));
      const summary = lines.at(-1)!;
      // An explained change alone is clean by default (--fail-on unexplained), and its line is summed up.
      const explained = f.triage === 'explained' && f.status !== 'untested';
      expect(summary).toMatch(f.triage === 'preexisting' ? /^# driftscan: clean: / : explained ? /^# driftscan: clean \(1 explained changes\): / : /^# driftscan: NOT clean: /);
      if (explained) {
        expect(own).toEqual([]);
        continue;
      }
      if (f.triage === 'preexisting') {
        expect(own).toEqual([]);
        expect(lines).toContain('# 1 package findings not shown: their paths are unchanged since the baseline, ' +
          'and the package tool reports them differing from their packages (--format json lists them)');
        continue;
      }
      expect(own, JSON.stringify(f)).toHaveLength(1);
      expect(own[0]).toMatch(HEAD);
      expect(own[0]).toContain(` ${displayPath(PATH)}`);
      if (f.source !== 'baseline') expect(own[0]).toMatch(new RegExp(`\\[${f.source} pkg${f.triage ? ' ' + f.triage : ''}\\]$`));
    }
  });

  it('json and ndjson: one object with the path, status and source', () => {
    for (const f of all) {
      const doc = JSON.parse(render('json', [f]));
      expect(doc.findings).toHaveLength(1);
      expect(doc.findings[0]).toMatchObject({ path: displayPath(PATH), status: f.status, source: f.source });
      const lines = render('ndjson', [f]).split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toEqual(doc.findings[0]);
    }
  });

  it('the summary counts every shown finding and the exit bits follow its status: clean only with none', () => {
    const BIT = { added: 1, missing: 2, changed: 4, untested: 8 } as const;
    for (const f of all) {
      const s = summarize([f], 1);
      const explained = f.triage === 'explained' && f.status !== 'untested';
      expect(s.clean).toBe(f.triage === 'preexisting' || explained);
      expect(exitBits(s), JSON.stringify(f)).toBe(f.triage === 'preexisting' || explained ? 0 : BIT[f.status]);
      // --fail-on any: every change counts, explained or not.
      const any = summarize([f], 1, false, 'any');
      expect(any.clean).toBe(f.triage === 'preexisting');
      expect(exitBits(any, false, 'any')).toBe(f.triage === 'preexisting' ? 0 : BIT[f.status]);
    }
  });
});

describe('dpkg md5sums edited to hide a trojan (real dpkg root)', () => {
  const keys = path.join(tempDir('ds-keys-'), 'k');
  expect(driftscan(['keygen', '--out', keys]).code).toBe(0);

  for (const [shape, edit] of [
    ['absolute path lines', (t: string) => t.replace(/^([0-9a-f]{32}) {2}/gm, '$1  /')],
    ['CRLF lines', (t: string) => t.replace(/\n/g, '\r\n')],
  ] as const) {
    it(`${shape}: every format renders, the scan is NOT clean, exit 4`, () => {
      const work = tempDir('ds-md5sums-');
      const root = newDpkgRoot(work);
      fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
      installDeb(root, buildDeb(work, { name: 'hello', version: '1.0', files: { '/usr/bin/hello': 'hello v1\n', '/usr/bin/tool': 'tool v1\n' } }));
      const file = path.join(work, 'b.dsb');
      expect(driftscan(['baseline', '/usr', '/etc', '--root', root, '--key', path.join(keys, 'driftscan.key'), '-o', file]).code).toBe(0);

      fs.writeFileSync(path.join(root, 'usr/bin/hello'), 'trojan\n');
      const md5sums = path.join(root, 'var/lib/dpkg/info/hello.md5sums');
      const text = fs.readFileSync(md5sums, 'latin1').replace(hash('md5', 'hello v1\n'), hash('md5', 'trojan\n'));
      fs.writeFileSync(md5sums, edit(text), 'latin1');

      const scan = (...args: string[]) => driftscan(['scan', file, '--pubkey', path.join(keys, 'driftscan.pub'), '--root', root, ...args]);
      const r = scan();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(4);
      const lines = r.stdout.split('\n');
      // T only when the trojan was written in another second than dpkg's mtime (whole seconds).
      expect(lines.filter((l) => /^S\.5\.\.\.\.[.T]\. {4}\/usr\/bin\/hello  ctime$/.test(l))).toHaveLength(1);
      expect(lines.find((l) => l.startsWith('changed     /usr/bin/hello  the package database '))).toMatch(/\[dpkg hello unexplained\]$/);
      expect(lines.find((l) => l.startsWith('changed     /var/lib/dpkg/info/hello.md5sums  '))).toMatch(/\[dpkg unowned unexplained\]$/);
      expect(r.stdout).toMatch(/^# driftscan: NOT clean: /m);

      const doc = JSON.parse(scan('--format', 'json').stdout);
      const ndjson = scan('--format', 'ndjson').stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(ndjson).toEqual(doc.findings);
      expect(doc.findings).toContainEqual(expect.objectContaining({ path: '/usr/bin/hello', source: 'dpkg', status: 'changed', triage: 'unexplained' }));
    });
  }
});
