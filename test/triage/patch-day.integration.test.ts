/**
 * Patch day on a real dpkg root: packages upgraded, installed and shrunk by
 * a real `dpkg -i` run with maintainer scripts, dpkg.log written in the
 * root, then attacked after the run. Every finding's triage is asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { buildScriptedDeb, installLogged, newMergedUsrRoot, nextSecond, writeAptIndex } from '../pkg/patch-day.js';
import { driftscan, keygen } from '../helpers/cli.js';


const HELLO_POSTINST = `
grep -q '^hellod:' "$DPKG_ROOT/etc/passwd" || echo 'hellod:x:999:999::/nonexistent:/usr/sbin/nologin' >> "$DPKG_ROOT/etc/passwd"
mkdir -p "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants" "$DPKG_ROOT/etc/rc2.d" "$DPKG_ROOT/usr/lib/hello"
ln -sf /lib/systemd/system/hello.service "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants/hello.service"
ln -sf ../init.d/hello "$DPKG_ROOT/etc/rc2.d/S01hello"
date +%s%N > "$DPKG_ROOT/usr/lib/hello/cache"`;

interface Day { root: string; baseline: string; pub: string }

/** Baseline, then one dpkg run with maintainer scripts; with `attack`, the intrusions after it. */
function patchDay(attack: boolean): Day {
  const work = tempDir('ds-patchday-');
  const root = newMergedUsrRoot(work);
  const { pub } = keygen(path.join(work, 'keys'));
  const v1 = [
    buildScriptedDeb(work, {
      name: 'hello', version: '1.0',
      files: { '/bin/hello': { content: 'hello 1.0\n', mode: 0o755 }, '/etc/hello.conf': 'greeting=hi\n' },
      conffiles: ['/etc/hello.conf'], links: { '/usr/bin/hi': 'hello' },
    }),
    buildScriptedDeb(work, { name: 'libfoo', version: '1.0', files: { '/lib/libfoo.so.1': 'foo one\n' }, links: { '/lib/libfoo.so': 'libfoo.so.1' } }),
    buildScriptedDeb(work, { name: 'zonedata', version: '1.0', files: { '/usr/share/zoneinfo/Europe/A': 'a1\n', '/usr/share/zoneinfo/Europe/B': 'b1\n' } }),
  ];
  installLogged(root, ...v1);
  writeAptIndex(root, [['hello', '1.0'], ['hello', '1.1'], ['libfoo', '1.0'], ['libfoo', '1.1'], ['zonedata', '1.0'], ['zonedata', '1.1'], ['newd', '1.0']]);
  const baseline = path.join(work, 'b.dsb');
  const b = driftscan(['baseline', '/', '--root', root, '--key', path.join(work, 'keys/driftscan.key'), '-o', baseline]);
  expect(b.code, b.stderr).toBe(0);
  nextSecond();

  // Patch day: one dpkg run, with maintainer scripts.
  installLogged(root,
    buildScriptedDeb(work, {
      name: 'hello', version: '1.1',
      files: {
        '/bin/hello': { content: 'hello 1.1 newer\n', mode: 0o755 }, '/etc/hello.conf': 'greeting=hi\n',
        '/lib/systemd/system/hello.service': '[Service]\nExecStart=/bin/hello\n', '/etc/init.d/hello': { content: '#!/bin/sh\n', mode: 0o755 },
      },
      conffiles: ['/etc/hello.conf', '/etc/init.d/hello'], links: { '/usr/bin/hi': 'hello' }, postinst: HELLO_POSTINST,
    }),
    buildScriptedDeb(work, { name: 'libfoo', version: '1.1', files: { '/lib/libfoo.so.2': 'foo two\n' }, links: { '/lib/libfoo.so': 'libfoo.so.2' } }),
    buildScriptedDeb(work, { name: 'zonedata', version: '1.1', files: { '/usr/share/zoneinfo/Europe/A': 'a2\n', '/usr/share/zoneinfo/Europe/C': 'c1\n' } }),
    buildScriptedDeb(work, {
      name: 'newd', version: '1.0',
      files: { '/usr/sbin/newd': { content: 'newd\n', mode: 0o755 }, '/etc/newd.conf': 'PermitRootLogin no\n' },
      conffiles: ['/etc/newd.conf'],
      // A host key, and a dpkg-statoverride entry applied as dpkg-statoverride --update would.
      postinst: 'mkdir -p "$DPKG_ROOT/etc/newd"; head -c 32 /dev/urandom > "$DPKG_ROOT/etc/newd/host_key"\n' +
        'echo "root root 4750 /usr/sbin/newd" >> "$DPKG_ROOT/var/lib/dpkg/statoverride"; chmod 4750 "$DPKG_ROOT/usr/sbin/newd"',
    }),
  );
  nextSecond();
  if (!attack) return { root, baseline, pub };

  // Attacks, after the run.
  installLogged(root, buildScriptedDeb(work, {
    name: 'evil', version: '1.0', files: { '/usr/bin/evil': { content: 'evil\n', mode: 0o755 } },
    postinst: 'mkdir -p "$DPKG_ROOT/etc/cron.d"; echo "* * * * * root /usr/bin/evil" > "$DPKG_ROOT/etc/cron.d/evil"',
  }));
  nextSecond();
  const hello = path.join(root, 'usr/bin/hello');
  const { mtime, atime } = fs.statSync(hello);
  fs.writeFileSync(hello, 'TROJAN 1.1 newer\n'.slice(0, 'hello 1.1 newer\n'.length));
  fs.utimesSync(hello, atime, mtime);
  fs.appendFileSync(path.join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
  fs.appendFileSync(path.join(root, 'etc/newd.conf'), 'PermitRootLogin yes\n');
  fs.chmodSync(path.join(root, 'usr/sbin/newd'), 0o6750); // setgid too: not what the statoverride says
  return { root, baseline, pub };
}


interface JsonFinding {
  path: string; source: string; status: string; package: string; triage: string; reason?: string;
  evidence?: { rule: string; detail: string; operation: { kind: string; name: string; from: string | null; to: string | null; start: string | null; end: string | null } };
}

function scanJson(day: Day, ...extra: string[]): { code: number; findings: JsonFinding[]; summary: Record<string, unknown> } {
  const r = driftscan(['scan', day.baseline, '--pubkey', day.pub, '--root', day.root, '--format', 'json', ...extra]);
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout);
  return { code: r.code, findings: doc.findings, summary: doc.summary };
}

/** [path, source, status, the rule that explained it or why not]. */
const verdicts = (fs: JsonFinding[]) => fs.map((f) => [f.path, f.source, f.status, f.triage === 'explained' ? f.evidence!.rule : `unexplained: ${f.reason}`]);

const PATCH_RUN = ['hello', 'libfoo', 'zonedata', 'newd'];

/** Every benign change of the run, and the rule that explains it. */
const BENIGN: Array<[string, string, string, string]> = [
  ['/etc/init.d', 'baseline', 'added', 'package-content'],
  ['/etc/init.d/hello', 'baseline', 'added', 'package-content'],
  ['/etc/newd', 'baseline', 'added', 'side-effect'],
  ['/etc/newd/host_key', 'baseline', 'added', 'side-effect'],
  ['/etc/rc2.d', 'baseline', 'added', 'side-effect'],
  ['/etc/rc2.d/S01hello', 'baseline', 'added', 'side-effect'],
  ['/etc/systemd', 'baseline', 'added', 'side-effect'],
  ['/etc/systemd/system', 'baseline', 'added', 'side-effect'],
  ['/etc/systemd/system/multi-user.target.wants', 'baseline', 'added', 'side-effect'],
  ['/etc/systemd/system/multi-user.target.wants/hello.service', 'baseline', 'added', 'side-effect'],
  ['/usr/bin/hi', 'baseline', 'changed', 'package-content'],
  ['/usr/lib', 'baseline', 'changed', 'directory'],
  ['/usr/lib/hello', 'baseline', 'added', 'side-effect'],
  ['/usr/lib/hello/cache', 'baseline', 'added', 'side-effect'],
  ['/usr/lib/libfoo.so', 'baseline', 'changed', 'package-content'],
  ['/usr/lib/libfoo.so.1', 'baseline', 'missing', 'package-content'],
  ['/usr/lib/libfoo.so.2', 'baseline', 'added', 'package-content'],
  ['/usr/lib/systemd', 'baseline', 'added', 'package-content'],
  ['/usr/lib/systemd/system', 'baseline', 'added', 'package-content'],
  ['/usr/lib/systemd/system/hello.service', 'baseline', 'added', 'package-content'],
  ['/usr/share/zoneinfo/Europe', 'baseline', 'changed', 'directory'],
  ['/usr/share/zoneinfo/Europe/A', 'baseline', 'changed', 'package-content'],
  ['/usr/share/zoneinfo/Europe/B', 'baseline', 'missing', 'package-content'],
  ['/usr/share/zoneinfo/Europe/C', 'baseline', 'added', 'package-content'],
  ...['hello.conffiles', 'hello.list', 'hello.md5sums'].map((n) => [`/var/lib/dpkg/info/${n}`, 'baseline', 'changed', 'bookkeeping'] as [string, string, string, string]),
  ['/var/lib/dpkg/info/hello.postinst', 'baseline', 'added', 'bookkeeping'],
  ...['libfoo.list', 'libfoo.md5sums'].map((n) => [`/var/lib/dpkg/info/${n}`, 'baseline', 'changed', 'bookkeeping'] as [string, string, string, string]),
  ...['newd.conffiles', 'newd.list', 'newd.md5sums', 'newd.postinst'].map((n) => [`/var/lib/dpkg/info/${n}`, 'baseline', 'added', 'bookkeeping'] as [string, string, string, string]),
  ...['zonedata.list', 'zonedata.md5sums'].map((n) => [`/var/lib/dpkg/info/${n}`, 'baseline', 'changed', 'bookkeeping'] as [string, string, string, string]),
  ...['lock', 'lock-frontend', 'status', 'status-old', 'triggers/Lock', 'updates'].map((n) => [`/var/lib/dpkg/${n}`, 'baseline', 'changed', 'bookkeeping'] as [string, string, string, string]),
  ['/var/lib/dpkg/statoverride', 'baseline', 'added', 'bookkeeping'],
  ['/var/log/dpkg.log', 'baseline', 'changed', 'bookkeeping'],
];

const byPath = (a: unknown[], b: unknown[]) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : String(a[1]) < String(b[1]) ? -1 : 1);

describe('patch day on a dpkg root (real dpkg -i with maintainer scripts, dpkg.log in the root)', () => {
  let benign: Day;
  let attacked: Day;
  beforeAll(() => {
    benign = patchDay(false);
    attacked = patchDay(true);
  }, 120_000);

  it('explains every benign change, each by its rule, naming an operation of the run; the scan is clean, exit 0', () => {
    const { code, findings, summary } = scanJson(benign);
    expect(verdicts(findings)).toEqual([
      ...BENIGN,
      // What the attacks change in the other root, here as the run left it.
      ['/usr/sbin', 'baseline', 'changed', 'directory'],
      ['/usr/sbin/newd', 'baseline', 'added', 'package-content'], // mode 4750, as the statoverride says
      ['/etc', 'baseline', 'changed', 'directory'],
      ['/etc/newd.conf', 'baseline', 'added', 'package-content'],
      ['/etc/passwd', 'baseline', 'changed', 'side-effect'], // the postinst's new user, inside the run's window
      ['/usr/bin', 'baseline', 'changed', 'directory'],
      ['/usr/bin/hello', 'baseline', 'changed', 'package-content'],
      ['/var/lib/dpkg', 'baseline', 'changed', 'directory'],
      ['/var/lib/dpkg/info', 'baseline', 'changed', 'directory'],
    ].sort(byPath));
    for (const f of findings) {
      expect(PATCH_RUN).toContain(f.evidence!.operation.name);
      expect(f.evidence!.operation.start).toMatch(/^\d{4}-/);
      // Package content is explained by the owner's own operation.
      if (f.evidence!.rule === 'package-content') expect(f.evidence!.operation.name).toBe(f.package);
    }
    expect(summary).toMatchObject({ changed: 0, missing: 0, added: 0, clean: true, explained: { changed: 26, missing: 2, added: 25 } });
    expect(code).toBe(0);
  });

  it('default text report: no finding lines, one line per operation, verdict clean (N explained changes)', () => {
    const r = driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root]);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.filter((l) => !l.startsWith('# explained by '))).toEqual([
      expect.stringMatching(/^# driftscan: clean \(53 explained changes\): 0 changed, 0 missing, 0 added, 0 not checked, 0 package findings, 53 explained; \d+ entries compared$/),
    ]);
    expect(lines.slice(0, -1).map((l) => l.replace(/: \d+ paths?$/, '')).sort()).toEqual([
      '# explained by install newd 1.0', '# explained by upgrade hello 1.0 -> 1.1',
      '# explained by upgrade libfoo 1.0 -> 1.1', '# explained by upgrade zonedata 1.0 -> 1.1',
    ]);
    const counted = lines.slice(0, -1).reduce((n, l) => n + Number(/(\d+) paths?$/.exec(l)![1]), 0);
    expect(counted).toBe(53);
    expect(r.code).toBe(0);
  });

  it('--fail-on any keeps the change bits; --explained show prints every line, hide none', () => {
    const any = driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root, '--fail-on', 'any']);
    expect(any.code).toBe(1 | 2 | 4);
    expect(any.stdout).toMatch(/^# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 0 not checked, 0 package findings, 53 explained; /m);
    const show = driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root, '--explained', 'show']);
    expect(show.code).toBe(0);
    const shown = show.stdout.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('    '));
    expect(shown).toHaveLength(53);
    expect(shown).toContain('..5....T.    /usr/share/zoneinfo/Europe/A  ctime inode  [explained by upgrade zonedata 1.0 -> 1.1 (package-content)]');
    const hide = driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root, '--explained', 'hide']);
    expect(hide.stdout.split('\n').filter((l) => l && !/^# (package|driftscan)/.test(l))).toEqual([]);
    expect(driftscan(['scan', benign.baseline, '--pubkey', benign.pub, '--root', benign.root, '--fail-on', 'some']).code).toBe(16);
  });

  it('after the run: every attack is unexplained, every benign change still explained', () => {
    const { code, findings } = scanJson(attacked);
    const attacks = [
      ['/bin/hello', 'dpkg', 'changed', 'unexplained: content differs from what hello records'], // trojaned, size and mtime kept
      ['/etc', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/etc/cron.d', 'baseline', 'added', 'unexplained: an entry in it changed without explanation'],
      ['/etc/cron.d/evil', 'baseline', 'added', 'unexplained: package not from a configured repository'], // evil's postinst
      ['/etc/newd.conf', 'baseline', 'added', 'unexplained: content differs from what newd records'], // edited after install
      ['/etc/newd.conf', 'dpkg', 'changed', 'unexplained: content differs from what newd records'],
      ['/etc/passwd', 'baseline', 'changed', expect.stringMatching(/^unexplained: changed at \S+, outside every package operation$/)],
      ['/usr/bin', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/usr/bin/evil', 'baseline', 'added', 'unexplained: package not from a configured repository'],
      ['/usr/bin/hello', 'baseline', 'changed', 'unexplained: content differs from what hello records'],
      ['/usr/sbin', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/usr/sbin/newd', 'baseline', 'added', 'unexplained: mode differs from what newd records'],
      ['/var/lib/dpkg', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ['/var/lib/dpkg/info', 'baseline', 'changed', 'unexplained: an entry in it changed without explanation'],
      ...['evil.list', 'evil.md5sums', 'evil.postinst'].map((n) => [`/var/lib/dpkg/info/${n}`, 'baseline', 'added', 'unexplained: package not from a configured repository']),
    ];
    expect(verdicts(findings)).toEqual([...BENIGN, ...attacks].sort(byPath));
    expect(code).toBe(1 | 4);
  });

  it('default text report: the unexplained lines in full, tagged, then one line per operation', () => {
    const r = driftscan(['scan', attacked.baseline, '--pubkey', attacked.pub, '--root', attacked.root]);
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith('    '));
    expect(lines.slice(0, 18).map((l) => l.replace(/changed at \S+,/, 'changed at T,'))).toEqual([
      '??5??????    /bin/hello  content differs from what hello records  [dpkg hello unexplained]',
      '.......T.    /etc  ctime  an entry in it changed without explanation  [unexplained]',
      'added     c /etc/cron.d  an entry in it changed without explanation  [unexplained]',
      'added     c /etc/cron.d/evil  package not from a configured repository  [unexplained]',
      'added     c /etc/newd.conf  content differs from what newd records  [unexplained]',
      '??5??????  c /etc/newd.conf  content differs from what newd records  [dpkg newd unexplained]',
      'S.5....T.  c /etc/passwd  ctime content  changed at T, outside every package operation  [unexplained]',
      '.......T.    /usr/bin  ctime  an entry in it changed without explanation  [unexplained]',
      'added       /usr/bin/evil  package not from a configured repository  [unexplained]',
      'S.5....T.    /usr/bin/hello  ctime inode  content differs from what hello records  [unexplained]',
      '.......T.    /usr/sbin  ctime  an entry in it changed without explanation  [unexplained]',
      'added       /usr/sbin/newd  mode differs from what newd records  [unexplained]',
      '.......T.    /var/lib/dpkg  ctime  an entry in it changed without explanation  [unexplained]',
      '.......T.    /var/lib/dpkg/info  ctime  an entry in it changed without explanation  [unexplained]',
      'added       /var/lib/dpkg/info/evil.list  package not from a configured repository  [unexplained]',
      'added       /var/lib/dpkg/info/evil.md5sums  package not from a configured repository  [unexplained]',
      'added       /var/lib/dpkg/info/evil.postinst  package not from a configured repository  [unexplained]',
      expect.stringMatching(/^# explained by /),
    ]);
    expect(lines.filter((l) => l.startsWith('# explained by '))).toHaveLength(4);
    expect(lines).toHaveLength(17 + 4 + 2); // nothing else: the unexplained, the operations, evil's line, the verdict
    expect(lines.slice(-2)).toEqual([
      '# package installed: evil 1.0 all',
      expect.stringMatching(/^# driftscan: NOT clean: 7 changed, 0 missing, 8 added, 0 not checked, 2 package findings, 44 explained; \d+ entries compared$/),
    ]);
    expect(r.code).toBe(1 | 4);
  });

  it('trust-local-packages lets the local .deb explain its own files (the other attacks stay unexplained)', () => {
    const rules = path.join(tempDir('ds-rules-'), 'rules');
    fs.writeFileSync(rules, 'use default\ninclude /var\ntrust-local-packages\n');
    const { findings } = scanJson(attacked, '--rules', rules);
    const get = (p: string) => findings.find((f) => f.path === p && f.source === 'baseline')!;
    expect(get('/usr/bin/evil')).toMatchObject({ triage: 'explained', evidence: { rule: 'package-content', operation: { kind: 'install', name: 'evil' } } });
    expect(get('/etc/cron.d/evil')).toMatchObject({ triage: 'explained', evidence: { rule: 'side-effect', operation: { name: 'evil' } } });
    expect(get('/usr/bin/hello').triage).toBe('unexplained');
    expect(get('/etc/passwd').triage).toBe('unexplained');
  });
});
