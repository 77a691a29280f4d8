/**
 * The patch-day runbook on a real dpkg root: baseline, a real `dpkg -i`
 * upgrade (maintainer scripts, dpkg.log in the root), an intrusion beside it,
 * scan -> update --accept explained -> scan again. The explained changes are
 * taken, the intrusion is not, and nothing else in the baseline moves.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { buildScriptedDeb, installLogged, newMergedUsrRoot, nextSecond, writeAptIndex } from '../pkg/patch-day.js';
import { driftscan, keygen } from '../helpers/cli.js';

interface Day { work: string; root: string; baseline: string; key: string; pub: string }

function patchDay(): Day {
  const work = tempDir('ds-update-day-');
  const root = newMergedUsrRoot(work);
  const { key, pub } = keygen(path.join(work, 'keys'));
  installLogged(root,
    buildScriptedDeb(work, { name: 'hello', version: '1.0', files: { '/bin/hello': { content: 'hello 1.0\n', mode: 0o755 }, '/etc/hello.conf': 'greeting=hi\n' }, conffiles: ['/etc/hello.conf'] }),
    buildScriptedDeb(work, { name: 'zonedata', version: '1.0', files: { '/usr/share/zoneinfo/Europe/A': 'a1\n', '/usr/share/zoneinfo/Europe/B': 'b1\n' } }),
  );
  writeAptIndex(root, [['hello', '1.0'], ['hello', '1.1'], ['zonedata', '1.0'], ['zonedata', '1.1']]);
  const baseline = path.join(work, 'b1.dsb');
  const b = driftscan(['baseline', '/', '--root', root, '--key', key, '-o', baseline]);
  expect(b.code, b.stderr).toBe(0);
  nextSecond();
  installLogged(root,
    buildScriptedDeb(work, { name: 'hello', version: '1.1', files: { '/bin/hello': { content: 'hello 1.1 newer\n', mode: 0o755 }, '/etc/hello.conf': 'greeting=hi\n' }, conffiles: ['/etc/hello.conf'] }),
    buildScriptedDeb(work, { name: 'zonedata', version: '1.1', files: { '/usr/share/zoneinfo/Europe/A': 'a2\n', '/usr/share/zoneinfo/Europe/C': 'c1\n' } }),
  );
  nextSecond();
  // The intrusion: not a package's doing, so never accepted by `explained`.
  fs.appendFileSync(path.join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
  return { work, root, baseline, key, pub };
}

interface JsonFinding { path: string; status: string; triage?: string; source: string }

function scanJson(day: Day, baseline: string, out: string): { code: number; findings: JsonFinding[] } {
  const r = driftscan(['scan', baseline, '--pubkey', day.pub, '--root', day.root, '--format', 'json', '-o', out]);
  expect(r.stderr).toBe('');
  return { code: r.code, findings: JSON.parse(fs.readFileSync(out, 'utf8')).findings };
}

describe('update --accept explained after a real dpkg upgrade', () => {
  let day: Day;
  let first: { code: number; findings: JsonFinding[] };
  let updated: ReturnType<typeof driftscan>;
  const b2 = () => path.join(day.work, 'b2.dsb');

  beforeAll(() => {
    day = patchDay();
    first = scanJson(day, day.baseline, path.join(day.work, 'r1.json'));
    updated = driftscan(['update', day.baseline, '--report', path.join(day.work, 'r1.json'), '--key', day.key, '--pubkey', day.pub, '-o', b2(), '--accept', 'explained']);
  }, 120_000);

  it('the report explains the upgrade and not the intrusion', () => {
    expect(first.code).toBe(4);
    const unexplained = first.findings.filter((f) => f.triage === 'unexplained').map((f) => f.path);
    expect(unexplained).toEqual(['/etc', '/etc/passwd']);
    expect(first.findings.filter((f) => f.triage === 'explained').map((f) => f.path)).toContain('/usr/bin/hello');
  });

  it('writes a new baseline that says what it accepted and that the package data was re-read', () => {
    expect(updated.stderr).toMatch(/^driftscan: wrote .*b2\.dsb: \d+ entries; accepted explained: \d+; packages re-read\n$/);
    expect(updated.code).toBe(0);
    const explained = new Set(first.findings.filter((f) => f.triage === 'explained').map((f) => f.path)).size;
    expect(updated.stderr).toContain(`accepted explained: ${explained};`);
  });

  it('then scans with only the intrusion left, and no package change to explain', () => {
    const again = scanJson(day, b2(), path.join(day.work, 'r2.json'));
    expect(again.findings.filter((f) => f.triage !== 'preexisting').map((f) => [f.path, f.status, f.triage ?? null]))
      .toEqual([['/etc', 'changed', 'unexplained'], ['/etc/passwd', 'changed', 'unexplained']]);
    expect(again.code).toBe(4);
    const packages = JSON.parse(fs.readFileSync(path.join(day.work, 'r2.json'), 'utf8')).packages;
    expect(packages.changes).toEqual({ installed: [], removed: [], upgraded: [] });
  });

  it('accepting the intrusion too (by glob) scans clean', () => {
    const r2 = path.join(day.work, 'r2.json');
    const b3 = path.join(day.work, 'b3.dsb');
    const u = driftscan(['update', b2(), '--report', r2, '--key', day.key, '--pubkey', day.pub, '-o', b3, '--accept', '/etc', '/etc/passwd']);
    expect(u.code, u.stderr).toBe(0);
    const clean = driftscan(['scan', b3, '--pubkey', day.pub, '--root', day.root]);
    expect(clean.stdout).toMatch(/# driftscan: clean: 0 changed, 0 missing, 0 added, 0 not checked, 0 package findings; \d+ entries compared\n$/);
    expect(clean.code).toBe(0);
    const history = driftscan(['show', '--history', b3, '--pubkey', day.pub]);
    expect(history.code).toBe(0);
    const lines = history.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^  updated .* accepted \/etc 1 path, \/etc\/passwd 1 path; packages kept; report sha256 [0-9a-f]{64}$/);
    expect(lines[3]).toMatch(/^  updated .* accepted explained \d+ paths; packages re-read from the root; report sha256 [0-9a-f]{64}$/);
    const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    expect(lines[2]!.slice(0, 64)).toBe(sha(b2()));
    expect(lines[4]!.slice(0, 64)).toBe(sha(day.baseline));
  });
});

describe('scan --update-to NEW --key FILE --accept explained (the timer path)', () => {
  it('writes the report and the new baseline side by side; the next scan shows only the intrusion', () => {
    const day = patchDay();
    const report = path.join(day.work, 'r.json');
    const next = path.join(day.work, 'next.dsb');
    const r = driftscan(['scan', day.baseline, '--pubkey', day.pub, '--root', day.root, '--format', 'json', '-o', report,
      '--update-to', next, '--key', day.key, '--accept', 'explained']);
    expect(r.stderr).toMatch(/^driftscan: wrote .*next\.dsb: \d+ entries; accepted explained: \d+; packages re-read\n$/);
    expect(r.code).toBe(4);
    const doc = JSON.parse(fs.readFileSync(report, 'utf8'));
    expect(doc.binding.baseline_sha256).toBe(createHash('sha256').update(fs.readFileSync(day.baseline)).digest('hex'));
    const again = driftscan(['scan', next, '--pubkey', day.pub, '--root', day.root]);
    expect(again.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/  \[unexplained\]$/, '').replace(/  .*outside.*$/, ''))).toEqual([
      '.......T.    /etc  ctime',
      'S.5....T.  c /etc/passwd  ctime content',
      '    @@ -1,1 +1,2 @@',
      '     root:x:0:0:root:/root:/bin/sh',
      '    +toor:x:0:0::/root:/bin/sh',
    ]);
    // A quiet day after it: nothing explained, no new baseline, no error.
    const quiet = path.join(day.work, 'quiet.dsb');
    const q = driftscan(['scan', next, '--pubkey', day.pub, '--root', day.root, '--update-to', quiet, '--key', day.key]);
    expect(q.stderr).toBe('driftscan: --update-to: nothing accepted (explained); no new baseline written\n');
    expect(q.code).toBe(4);
    expect(fs.existsSync(quiet)).toBe(false);
  }, 120_000);
});

describe('diff of the baselines before and after a real dpkg upgrade', () => {
  it('names the same package changes as a scan, and triages with the two package sets', () => {
    const day = patchDay();
    const after = path.join(day.work, 'after.dsb');
    expect(driftscan(['baseline', '/', '--root', day.root, '--key', day.key, '-o', after]).code).toBe(0);
    const rules = path.join(day.work, 'diff.rules');
    fs.writeFileSync(rules, '# images built from our own repository\ntrust-local-packages\n');
    const d = driftscan(['diff', day.baseline, after, '--pubkey', day.pub, '--format', 'json', '--rules', rules]);
    const untrusted = JSON.parse(driftscan(['diff', day.baseline, after, '--pubkey', day.pub, '--format', 'json']).stdout);
    expect(untrusted.findings.filter((f: JsonFinding) => f.triage === 'explained')).toEqual([]);
    const s = driftscan(['scan', day.baseline, '--pubkey', day.pub, '--root', day.root, '--format', 'json']);
    const dj = JSON.parse(d.stdout);
    const sj = JSON.parse(s.stdout);
    expect(dj.packages).toEqual(sj.packages);
    expect(dj.packages.changes.upgraded.map((p: { name: string }) => p.name)).toEqual(['hello', 'zonedata']);
    const verdict = (doc: { findings: JsonFinding[] }) => doc.findings.filter((f) => f.source === 'baseline').map((f) => [f.path, f.status, f.triage]);
    // Without the root's logs and dpkg's md5 of the files, diff explains what the package lists and recorded digests show.
    const explained = verdict(dj).filter((v) => v[2] === 'explained').map((v) => v[0]);
    expect(explained).toEqual(expect.arrayContaining(['/usr/share/zoneinfo/Europe/B', '/var/lib/dpkg/status', '/var/lib/dpkg/info/hello.list']));
    // dpkg records md5 only, and a baseline records sha256: new content cannot be matched offline, so it stays unexplained.
    const reasons = Object.fromEntries(dj.findings.map((f: JsonFinding) => [f.path, f.triage === 'explained' ? 'explained' : f.reason]));
    expect(reasons['/usr/share/zoneinfo/Europe/C']).toMatch(/content/);
    expect(reasons['/usr/bin/hello']).toMatch(/content/);
    expect(verdict(dj).filter((v) => v[0] === '/etc/passwd')).toEqual([['/etc/passwd', 'changed', 'unexplained']]);
    expect(verdict(dj).map((v) => v[0])).toEqual(verdict(sj).map((v) => v[0]));
  }, 120_000);
});
