import { describe, expect, it } from 'vitest';
import { parseDpkgVerify } from '../../src/pkg/dpkg-parse.js';
import { CAFE, fixture, printed } from './fixtures.js';

describe('parseDpkgVerify on real dpkg 1.21 output', () => {
  it('reads conffile, plain, non-UTF-8 and missing lines', () => {
    const { findings, diagnostics } = parseDpkgVerify(fixture('dpkg-verify-tampered.txt'));
    expect(findings.map(printed)).toEqual([
      { path: '/etc/fixd/d.conf', status: 'changed', flags: '??5??????', marker: 'c', note: undefined },
      { path: '/usr/bin/fixd', status: 'changed', flags: '??5??????', marker: ' ', note: undefined },
      { path: `/usr/share/fixd/${CAFE}`, status: 'changed', flags: '??5??????', marker: ' ', note: undefined },
      { path: '/usr/share/fixd/gone', status: 'missing', flags: undefined, marker: ' ', note: undefined },
    ]);
    expect(diagnostics).toEqual([]);
    for (const f of findings) expect(f).toMatchObject({ source: 'dpkg', deltas: [], extra: [], untested: {} });
  });

  it('reads an unreadable file as all ? (what dpkg prints without permission)', () => {
    const { findings } = parseDpkgVerify(fixture('dpkg-verify-nonroot.txt'));
    expect(printed(findings[findings.length - 1])).toEqual({
      path: '/usr/share/fixd/locked',
      status: 'changed',
      flags: '?????????',
      marker: ' ',
      note: undefined,
    });
  });

  it('does not take an rpm line (two spaces before the marker) for a dpkg line', () => {
    const { findings, diagnostics } = parseDpkgVerify('S.5......  c /etc/x\n');
    expect(findings).toEqual([]);
    expect(diagnostics).toEqual(['S.5......  c /etc/x']);
  });

  it('keeps unknown lines as diagnostics', () => {
    expect(parseDpkgVerify("dpkg: warning: files list file for package 'x' missing\n").diagnostics).toHaveLength(1);
  });
});
