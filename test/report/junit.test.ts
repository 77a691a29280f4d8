/**
 * --format junit on a real patch day: well-formed XML by a real parser
 * (python3's xml.etree in a child process), one test case per status and
 * triage, failures exactly for the classes holding unexplained findings.
 */
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { patchDay, type PatchDay } from './patch-day-fixture.js';
import { parseJunit, type Parsed } from './parse-junit.js';
import { REPORTERS, type Report } from '../../src/report/reporters.js';
import { summarize } from '../../src/report/summary.js';
import type { Finding } from '../../src/types.js';

describe('junit', () => {
  let day: PatchDay;
  let doc: Parsed;

  beforeAll(() => {
    day = patchDay();
    const r = day.scan('--format', 'junit');
    expect(r.code, r.stderr).toBe(1 | 4);
    doc = parseJunit(r.stdout);
  });

  it('one test case per status and triage, failures for the unexplained classes with findings', () => {
    expect(doc.cases.map((c) => c.name)).toEqual(['changed', 'missing', 'added', 'untested']
      .flatMap((s) => [`${s} paths unexplained`, `${s} paths explained by package operations`]));
    expect(doc.cases.filter((c) => c.failure).map((c) => c.name)).toEqual(['changed paths unexplained', 'added paths unexplained']);
    expect(doc.suite).toMatchObject({ tests: '8', failures: '2', errors: '0' });
    expect(doc.suites).toMatchObject({ tests: '8', failures: '2' });
  });

  it('each failure lists its findings as the text report prints them (escaped), explained ones go to system-out', () => {
    const text = day.scan('--explained', 'show').stdout.split('\n');
    const added = doc.cases.find((c) => c.name === 'added paths unexplained')!.failure!;
    expect(added.type).toBe('added');
    expect(added.message).toBe('1 added path not explained by a package operation');
    expect(added.text.split('\n')).toEqual(text.filter((l) => l.startsWith('added ')));
    expect(added.text).toContain('/usr/bin/ev\\x1b[2Kil\\ndone \\xff%20');
    const changed = doc.cases.find((c) => c.name === 'changed paths unexplained')!.failure!.text.split('\n');
    expect(changed.some((l) => l.endsWith('/etc/passwd  ctime content  changed at ' + l.split('changed at ')[1]))).toBe(true);
    const explained = doc.cases.find((c) => c.name === 'changed paths explained by package operations')!;
    expect(explained.failure).toBeUndefined();
    expect(explained.out!.split('\n')).toEqual(text.filter((l) => /^\S{9} .*\[explained by /.test(l)));
    expect(explained.out).toContain('/usr/bin/hello');
  });
});

describe('junit escaping', () => {
  it('stays well-formed with XML specials and every control character in tree text', () => {
    const nasty = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f\x9b<&>"\']]>';
    const finding: Finding = {
      path: `/srv/${nasty}`, status: 'changed', source: 'dpkg', flags: 'S.5......', marker: ' ',
      deltas: [], extra: [], untested: {}, package: `p${nasty}`, note: nasty, triage: 'unexplained',
    };
    const report: Report = {
      header: { format: 1, tool: 't', host: 'h', created: 'c', root: '/', policy: '', attrs: [], keyId: 'k', unlisted: [] },
      root: `/mnt/${nasty}`, findings: [finding], summary: summarize([finding], 1), diagnostics: [`dpkg: ${nasty}`], time: '2026-11-30T04:00:00.000Z',
    };
    const out = new PassThrough();
    let xml = '';
    out.on('data', (b: Buffer) => (xml += b.toString()));
    REPORTERS.junit!(report, out);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
    const doc = parseJunit(xml);
    const failure = doc.cases.find((c) => c.failure)!.failure!;
    expect(failure.text).toContain('/srv/\\x00\\x01');
    expect(failure.text).toContain('\\x7f\\x9b<&>"\']]>');
    expect(doc.err).toContain('dpkg: \\x00');
    expect(doc.suite.name).toContain('/mnt/\\x00');
    expect(doc.suite.timestamp).toBe('2026-11-30T04:00:00');
  });
});
