/**
 * --format ecs on a real patch day: one NDJSON event per finding, parsed back
 * and checked field by field against the same scan's json findings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonFindings, patchDay, type JsonFinding, type PatchDay } from './patch-day-fixture.js';

type Event = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('ecs', () => {
  let day: PatchDay;
  let events: Event[];
  let findings: JsonFinding[];
  let stdout: string;

  beforeAll(() => {
    day = patchDay();
    const r = day.scan('--format', 'ecs');
    expect(r.code, r.stderr).toBe(1 | 4);
    stdout = r.stdout;
    events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    findings = jsonFindings(day);
  });

  it('one event per line and per finding, in the same order', () => {
    expect(stdout.endsWith('\n')).toBe(true);
    expect(events.map((e) => e.file.path)).toEqual(findings.map((f) => f.path));
  });

  it('the ECS fields every event has', () => {
    for (const [i, e] of events.entries()) {
      const f = findings[i]!;
      expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['@timestamp', 'driftscan', 'ecs', 'event', 'file', 'host']));
      expect(new Date(e['@timestamp']).toISOString()).toBe(e['@timestamp']);
      expect(e.ecs).toEqual({ version: '8.11.0' });
      expect(e.event.category).toEqual(['file']);
      expect(e.event.type).toEqual([{ changed: 'change', missing: 'deletion', added: 'creation', untested: 'info' }[f.status]]);
      expect(e.event.action).toBe(f.source === 'baseline' ? f.status : `package-${f.status}`);
      expect(e.event.kind).toBe(f.triage === 'explained' || f.triage === 'preexisting' ? 'event' : 'alert');
      expect(e.event.outcome).toBe(f.status === 'untested' ? 'unknown' : 'success');
      expect(e.file.type).toBe(f.kind);
      expect(e.driftscan).toMatchObject({ status: f.status, source: f.source, triage: f.triage, deltas: f.deltas });
      expect(e.driftscan.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      if (f.flags !== undefined) expect(e.driftscan.flags).toBe(f.flags);
    }
    const host = JSON.parse(day.scan('--format', 'json').stdout).baseline.host;
    expect(new Set(events.map((e) => e.host.name))).toEqual(new Set([host]));
  });

  it('file.* carries the new value of each attribute that changed, typed as ECS types it', () => {
    const evil = events.find((e) => e.file.path.startsWith('/usr/bin/ev'))!;
    expect(evil.file.path).toBe('/usr/bin/ev\\x1b[2Kil\\ndone \\xff%20');
    expect(evil.driftscan.path_hex).toBe(Buffer.from('/usr/bin/ev\x1b[2Kil\ndone \xff%20', 'latin1').toString('hex'));
    const passwd = events.find((e) => e.file.path === '/etc/passwd')!;
    const deltas = Object.fromEntries(findings.find((f) => f.path === '/etc/passwd')!.deltas.map((d) => [d.attr, d.new]));
    expect(passwd.file.size).toBe(deltas.size);
    expect(typeof passwd.file.size).toBe('number');
    expect(passwd.file.hash).toEqual({ sha256: deltas.sha256 });
    expect(passwd.file.mtime).toBe(deltas.mtime);
    expect(passwd.event.kind).toBe('alert');
    expect(passwd.driftscan.reason).toMatch(/outside every package operation/);
    expect(passwd.event.reason).toBe(passwd.driftscan.reason);
    expect(passwd.package).toBeUndefined();
  });

  it('explained events name the package, its new version and the evidence', () => {
    const hello = events.find((e) => e.file.path === '/usr/bin/hello')!;
    expect(hello.event.kind).toBe('event');
    expect(hello.package).toEqual({ name: 'hello', version: '1.1' });
    expect(hello.driftscan.triage).toBe('explained');
    expect(hello.driftscan.evidence).toMatchObject({ operation: { kind: 'upgrade', name: 'hello', from: '1.0', to: '1.1' }, rule: 'package-content' });
    const deltas = Object.fromEntries(findings.find((f) => f.path === '/usr/bin/hello')!.deltas.map((d) => [d.attr, d.new]));
    expect(hello.file.hash.sha256).toBe(deltas.sha256);
    expect(hello.file.size).toBe(deltas.size);
  });

  it('mode and ids as ECS keywords; an added file has no values to compare, so file.* is its path and type', () => {
    fs.chmodSync(path.join(day.root, 'etc/hello.conf'), 0o600);
    fs.chownSync(path.join(day.root, 'etc/hello.conf'), 1500, 1501);
    const after: Event[] = day.scan('--format', 'ecs').stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    const conf = after.find((e) => e.file.path === '/etc/hello.conf')!;
    expect(conf.file).toMatchObject({ path: '/etc/hello.conf', type: 'file', mode: '0600', uid: '1500', gid: '1501' });
    expect(conf.driftscan.flags).toBe('.M...UG..');
    const evil = after.find((e) => e.file.path.startsWith('/usr/bin/ev'))!;
    expect(Object.keys(evil.file).sort()).toEqual(['path', 'type']);
  });
});
