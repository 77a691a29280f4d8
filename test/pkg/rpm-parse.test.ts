import { describe, expect, it } from 'vitest';
import { parseRpmVerify } from '../../src/pkg/rpm-parse.js';
import { CAFE, fixture, printed } from './fixtures.js';

describe('parseRpmVerify on real rpm 4.18 output', () => {
  const { findings, diagnostics } = parseRpmVerify(fixture('rpm-va-tampered.txt'));

  it('reads every file line with flags, marker and path exactly as printed', () => {
    expect(findings.map(printed)).toEqual([
      { path: '/etc/fixa/a.conf', status: 'changed', flags: 'S.5......', marker: 'c', note: undefined },
      { path: '/etc/secret', status: 'changed', flags: '.M.......', marker: ' ', note: undefined },
      { path: '/usr/bin/fixa', status: 'changed', flags: '.M.......', marker: ' ', note: undefined },
      { path: '/usr/share/doc/fixa/README', status: 'missing', flags: undefined, marker: 'd', note: undefined },
      { path: '/usr/share/fix/becomes-dir', status: 'changed', flags: '.M.......', marker: ' ', note: undefined },
      { path: `/usr/share/fix/${CAFE}`, status: 'changed', flags: 'S.5......', marker: ' ', note: undefined },
      { path: '/usr/share/fix/shared', status: 'changed', flags: '.........', marker: ' ', note: '(replaced)' },
    ]);
  });

  it('keeps the non-UTF-8 name byte for byte', () => {
    const latin = findings.find((f) => f.path.startsWith('/usr/share/fix/caf'))!;
    expect(Buffer.from(latin.path, 'latin1')).toEqual(Buffer.from('/usr/share/fix/caf\xe9', 'latin1'));
  });

  it('returns dependency problems as diagnostics, header and detail together', () => {
    expect(diagnostics).toEqual([
      'Unsatisfied dependencies for fixa-1.0-1.noarch:\n\t/bin/sh is needed by (installed) fixa-1.0-1.noarch',
      'Unsatisfied dependencies for fixb-1.0-1.noarch:\n\t/bin/sh is needed by (installed) fixb-1.0-1.noarch',
    ]);
  });

  it('sets source rpm and empty deltas, extra, untested', () => {
    for (const f of findings) {
      expect(f).toMatchObject({ source: 'rpm', deltas: [], extra: [], untested: {} });
      expect(f.package).toBeUndefined();
    }
  });
});

describe('parseRpmVerify on unprivileged output', () => {
  const { findings, diagnostics } = parseRpmVerify(fixture('rpm-va-nonroot.txt'));

  it('reads the strerror suffix of a missing line as a note', () => {
    expect(printed(findings.find((f) => f.path === '/etc/secret/key.conf')!)).toEqual({
      path: '/etc/secret/key.conf',
      status: 'missing',
      flags: undefined,
      marker: 'c',
      note: '(Permission denied)',
    });
  });

  it('keeps ? and U G columns and the root directory line', () => {
    expect(findings.find((f) => f.path === '/usr/bin/fixa')?.flags).toBe('.M?..UG..');
    expect(findings.filter((f) => f.path === '/')).toHaveLength(1);
    expect(findings).toHaveLength(14);
    expect(diagnostics).toEqual([]);
  });
});

describe('parseRpmVerify edge cases', () => {
  it('keeps a packaged name that really ends in " (x)" when told which paths are packaged', () => {
    const out = '.M.......    /opt/a (b)\n.M.......    /opt/c (replaced)\n';
    const known = new Set(['/opt/a (b)', '/opt/c']);
    const { findings } = parseRpmVerify(out, { isKnownPath: (p) => known.has(p) });
    expect(findings.map((f) => [f.path, f.note])).toEqual([
      ['/opt/a (b)', undefined],
      ['/opt/c', '(replaced)'],
    ]);
  });

  it('splits two suffixes (errno and file state)', () => {
    const { findings } = parseRpmVerify('missing   c /etc/x (Permission denied) (replaced)\n');
    expect(printed(findings[0])).toMatchObject({ path: '/etc/x', note: '(Permission denied) (replaced)' });
  });

  it('accepts the 8-column flags of older rpm and rejects letters out of place', () => {
    const { findings, diagnostics } = parseRpmVerify('S.5....T  c /etc/old\n5S.......  c /etc/bad\n');
    expect(findings.map((f) => [f.path, f.flags])).toEqual([['/etc/old', 'S.5....T']]);
    expect(diagnostics).toEqual(['5S.......  c /etc/bad']);
  });

  it('never drops an unknown line', () => {
    const { findings, diagnostics } = parseRpmVerify('error: rpmdb: damaged header\nsomething else\n');
    expect(findings).toEqual([]);
    expect(diagnostics).toEqual(['error: rpmdb: damaged header', 'something else']);
  });

  it('does not take a dpkg line (one space before the marker) for an rpm line', () => {
    const { findings, diagnostics } = parseRpmVerify('??5?????? c /etc/x\n');
    expect(findings).toEqual([]);
    expect(diagnostics).toHaveLength(1);
  });
});
