/**
 * A scan reads the root's apt indexes only when triage must check where a
 * package came from: when a real dpkg run installed or upgraded something
 * since the baseline. A root with a corrupt index is scanned with no word
 * about it while no package changed (clean stays clean, a trojan stays a
 * finding); after a real `dpkg -i` the index is needed, named in the
 * diagnostics, and every origin verdict is the one it always was. dpkg.log
 * is read whenever a package changed: a removal alone needs no index, but
 * its window (a postrm's side effect) comes from the log.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { buildScriptedDeb, installLogged, newMergedUsrRoot, nextSecond } from '../pkg/patch-day.js';
import { driftscan, keygen } from '../helpers/cli.js';

const LISTS = 'var/lib/apt/lists';
const CORRUPT = 'deb.example.org_debian-security_dists_stable-security_main_binary-all_Packages';
const DIAGNOSTIC = `apt index not read, the versions it offers are not known: /${LISTS}/${CORRUPT}.lz4 (lz4: content checksum mismatch)`;

/** extra 1.0: its postinst adds a user, its postrm takes it away again (a change only extra's removal window explains). */
function extraDeb(work: string): string {
  const deb = buildScriptedDeb(work, {
    name: 'extra', version: '1.0', files: { '/usr/bin/extra': { content: 'extra\n', mode: 0o755 } },
    postinst: 'echo "extrad:x:998:998::/nonexistent:/usr/sbin/nologin" >> "$DPKG_ROOT/etc/passwd"',
  });
  const dir = deb.slice(0, -'.deb'.length);
  fs.writeFileSync(path.join(dir, 'DEBIAN/postrm'), '#!/bin/sh\nset -e\nsed -i "/^extrad:/d" "$DPKG_ROOT/etc/passwd"\n', { mode: 0o755 });
  execFileSync('/usr/bin/dpkg-deb', ['--build', '--root-owner-group', dir, deb], { stdio: 'pipe' });
  return deb;
}

interface Root { work: string; root: string; baseline: string; pub: string }

/** hello 1.0 and extra 1.0 installed; one index offers hello 1.0 and 1.1, the other is an lz4 file with a bad checksum. */
function baselined(): Root {
  const work = tempDir('ds-lazyapt-');
  const root = newMergedUsrRoot(work);
  const { pub } = keygen(path.join(work, 'keys'));
  installLogged(root,
    buildScriptedDeb(work, { name: 'hello', version: '1.0', files: { '/bin/hello': { content: 'hello 1.0\n', mode: 0o755 } } }),
    extraDeb(work),
  );
  const lists = path.join(root, LISTS);
  fs.mkdirSync(lists, { recursive: true });
  fs.writeFileSync(path.join(lists, 'deb.example.org_debian_dists_stable_main_binary-all_Packages'),
    'Package: hello\nVersion: 1.0\nArchitecture: all\n\nPackage: hello\nVersion: 1.1\nArchitecture: all\n');
  const corrupt = path.join(lists, CORRUPT);
  fs.writeFileSync(corrupt, 'Package: newd\nVersion: 1.0\nArchitecture: all\n\n'.repeat(20));
  execFileSync('lz4', ['-q', '-m', '--rm', corrupt]);
  const bytes = fs.readFileSync(`${corrupt}.lz4`);
  bytes[bytes.length - 1] ^= 0xff; // the content checksum: lz4 itself refuses it
  fs.writeFileSync(`${corrupt}.lz4`, bytes);
  const baseline = path.join(work, 'b.dsb');
  const b = driftscan(['baseline', '/', '--root', root, '--key', path.join(work, 'keys/driftscan.key'), '-o', baseline]);
  expect(b.code, b.stderr).toBe(0);
  nextSecond();
  return { work, root, baseline, pub };
}

/** Every finding of extra's removal, each explained by it. */
const REMOVED = [
  ['/etc', 'changed', 'directory by remove extra'],
  ['/etc/passwd', 'changed', 'side-effect by remove extra'],
  ['/usr/bin', 'changed', 'directory by remove extra'],
  ['/usr/bin/extra', 'missing', 'package-content by remove extra'],
  ...['/var/lib/dpkg', '/var/lib/dpkg/info'].map((d) => [d, 'changed', 'directory by remove extra']),
  // dpkg -r keeps extra's postrm for a purge, and so its (emptied) file list.
  ['/var/lib/dpkg/info/extra.list', 'changed', 'bookkeeping by remove extra'],
  ...['extra.md5sums', 'extra.postinst'].map((f) => [`/var/lib/dpkg/info/${f}`, 'missing', 'bookkeeping by remove extra']),
  ...['lock', 'lock-frontend', 'status', 'status-old', 'triggers/Lock', 'updates'].map((f) => [`/var/lib/dpkg/${f}`, 'changed', 'bookkeeping by remove extra']),
  ['/var/log/dpkg.log', 'changed', 'bookkeeping by remove extra'],
];

interface Scan { code: number; verdicts: string[][]; diagnostics: string[] }

function scan(r: Root): Scan {
  const out = driftscan(['scan', r.baseline, '--pubkey', r.pub, '--root', r.root, '--format', 'json']);
  expect(out.stderr).toBe('');
  const doc = JSON.parse(out.stdout);
  const verdicts = doc.findings.map((f: { path: string; status: string; triage: string; reason?: string; evidence?: { rule: string; operation: { kind: string; name: string } } }) =>
    [f.path, f.status, f.triage === 'explained' ? `${f.evidence!.rule} by ${f.evidence!.operation.kind} ${f.evidence!.operation.name}` : `${f.triage}: ${f.reason}`]);
  return { code: out.code, verdicts, diagnostics: doc.diagnostics };
}

describe('apt indexes read only when a package changed (real dpkg runs, a corrupt real lz4 index)', () => {
  it('no package changed: no diagnostic about the corrupt index, clean, exit 0; after dpkg -i: the diagnostic and the same verdicts as ever', () => {
    const r = baselined();
    const quiet = scan(r);
    expect(quiet).toEqual({ code: 0, verdicts: [], diagnostics: [] });

    installLogged(r.root,
      buildScriptedDeb(r.work, { name: 'hello', version: '1.1', files: { '/bin/hello': { content: 'hello 1.1\n', mode: 0o755 } } }),
      buildScriptedDeb(r.work, { name: 'newd', version: '1.0', files: { '/usr/sbin/newd': { content: 'newd\n', mode: 0o755 } } }),
    );
    nextSecond();
    const upgraded = scan(r);
    expect(upgraded.diagnostics).toEqual([DIAGNOSTIC]);
    expect(upgraded.verdicts).toEqual(expect.arrayContaining([
      ['/usr/bin/hello', 'changed', 'package-content by upgrade hello'],
      // newd 1.0 is offered only by the index that cannot be read: not checked, never "not from a configured repository".
      ['/usr/sbin/newd', 'added', 'unexplained: package origin not checked: a repository index in the root cannot be read (see the diagnostics)'],
    ]));
    expect(upgraded.verdicts.filter((v) => v[2]!.includes('not from a configured repository'))).toEqual([]);
    expect(upgraded.code).toBe(1 | 4);
  });

  it('a real dpkg -r alone: its window is read from dpkg.log (the removal explains), no index is needed', () => {
    const r = baselined();
    execFileSync('/usr/bin/dpkg', [
      `--root=${r.root}`, `--admindir=${r.root}/var/lib/dpkg`, '--force-not-root', '--force-script-chrootless',
      `--log=${r.root}/var/log/dpkg.log`, '-r', 'extra',
    ], { stdio: 'pipe' });
    nextSecond();
    const s = scan(r);
    expect(s.diagnostics).toEqual([]);
    expect(s.verdicts).toEqual(REMOVED);
    expect(s.code).toBe(0);
  });

  it('no package changed but a packaged file trojaned: the same finding, still no diagnostic about the index', () => {
    const r = baselined();
    fs.writeFileSync(path.join(r.root, 'usr/bin/hello'), 'trojan\n!!\n');
    const s = scan(r);
    expect(s.diagnostics).toEqual([]);
    expect(s.verdicts.find((v) => v[0] === '/usr/bin/hello')).toEqual(['/usr/bin/hello', 'changed', expect.stringMatching(/^unexplained: /)]);
    expect(s.code & 4).toBe(4);
  });
});
