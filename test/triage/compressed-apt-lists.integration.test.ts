/**
 * apt keeps its lists compressed on many hosts (`Acquire::GzipIndexes`:
 * `_Packages.lz4`, `KeepCompressedAs "gz"`: `_Packages.gz`). A real dpkg
 * patch day on a root whose indexes are compressed by the real `lz4` and
 * `gzip` tools is triaged exactly as with uncompressed ones; an index Node
 * cannot decode (`.xz`) is named in a diagnostic and the origin of what it
 * would offer is "not checked", not "not from a configured repository".
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { buildScriptedDeb, installLogged, newMergedUsrRoot, nextSecond } from '../pkg/patch-day.js';
import { driftscan, keygen } from '../helpers/cli.js';

const LISTS = 'var/lib/apt/lists';
/** Two sources, so that both must be read: hello's upgrade is offered by one, newd by the other. */
const SOURCES: Array<[string, Array<[string, string]>]> = [
  ['deb.example.org_debian_dists_stable_main_binary-all_Packages', [['hello', '1.0'], ['hello', '1.1']]],
  ['deb.example.org_debian-security_dists_stable-security_main_binary-all_Packages', [['newd', '1.0']]],
];

type Forms = [string, string]; // per source: '', '.lz4', '.gz' or '.xz'

function writeLists(root: string, forms: Forms): void {
  const dir = path.join(root, LISTS);
  fs.mkdirSync(dir, { recursive: true });
  SOURCES.forEach(([name, offered], i) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, offered.map(([n, v]) => `Package: ${n}\nVersion: ${v}\nArchitecture: all\n`).join('\n'));
    const form = forms[i];
    if (form === '.lz4') execFileSync('lz4', ['-q', '--rm', file, `${file}.lz4`]);
    if (form === '.gz') execFileSync('gzip', ['-n', file]);
    if (form === '.xz') execFileSync('xz', [file]);
  });
}

interface Day { root: string; baseline: string; pub: string }

/** Baseline, then one dpkg run: hello upgraded (with a postinst side effect), newd installed. */
function patchDay(forms: Forms): Day {
  const work = tempDir('ds-aptforms-');
  const root = newMergedUsrRoot(work);
  const { pub } = keygen(path.join(work, 'keys'));
  installLogged(root, buildScriptedDeb(work, { name: 'hello', version: '1.0', files: { '/bin/hello': { content: 'hello 1.0\n', mode: 0o755 } } }));
  writeLists(root, forms);
  const baseline = path.join(work, 'b.dsb');
  const b = driftscan(['baseline', '/', '--root', root, '--key', path.join(work, 'keys/driftscan.key'), '-o', baseline]);
  expect(b.code, b.stderr).toBe(0);
  nextSecond();
  installLogged(root,
    buildScriptedDeb(work, {
      name: 'hello', version: '1.1', files: { '/bin/hello': { content: 'hello 1.1\n', mode: 0o755 } },
      postinst: 'echo "hellod:x:999:999::/nonexistent:/usr/sbin/nologin" >> "$DPKG_ROOT/etc/passwd"',
    }),
    buildScriptedDeb(work, { name: 'newd', version: '1.0', files: { '/usr/sbin/newd': { content: 'newd\n', mode: 0o755 } } }),
  );
  nextSecond();
  return { root, baseline, pub };
}

interface Scan { code: number; verdicts: string[][]; diagnostics: string[] }

function scan(day: Day): Scan {
  const r = driftscan(['scan', day.baseline, '--pubkey', day.pub, '--root', day.root, '--format', 'json']);
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout);
  const verdicts = doc.findings.map((f: { path: string; status: string; triage: string; reason?: string; evidence?: { rule: string; operation: { kind: string; name: string } } }) =>
    [f.path, f.status, f.triage === 'explained' ? `${f.evidence!.rule} by ${f.evidence!.operation.kind} ${f.evidence!.operation.name}` : `unexplained: ${f.reason}`]);
  return { code: r.code, verdicts, diagnostics: doc.diagnostics };
}

describe('triage with compressed apt lists (real lz4 and gzip, real dpkg runs)', () => {
  let plain: Scan;
  let lz4: Scan;
  let gz: Scan;
  let xz: Scan;
  beforeAll(() => {
    plain = scan(patchDay(['', '']));
    lz4 = scan(patchDay(['.lz4', '.gz']));
    gz = scan(patchDay(['.gz', '.lz4']));
    xz = scan(patchDay(['.lz4', '.xz']));
  }, 180_000);

  it('the uncompressed index explains the upgrade and the install: clean, exit 0', () => {
    expect(plain.verdicts).toEqual(expect.arrayContaining([
      ['/etc/passwd', 'changed', expect.stringMatching(/^side-effect by (upgrade hello|install newd)$/)], // the postinst's user, inside the run
      ['/usr/bin/hello', 'changed', 'package-content by upgrade hello'],
      ['/usr/sbin/newd', 'added', 'package-content by install newd'],
    ]));
    expect(plain.verdicts.filter((v) => v[2]!.startsWith('unexplained'))).toEqual([]);
    expect(plain.diagnostics).toEqual([]);
    expect(plain.code).toBe(0);
  });

  it('.lz4 and .gz lists triage every finding exactly as the uncompressed ones', () => {
    expect(lz4).toEqual(plain);
    expect(gz).toEqual(plain);
  });

  it('an .xz list (no decoder) is named in a diagnostic; what only it offers is "origin not checked", the rest still explained', () => {
    expect(xz.diagnostics).toEqual([
      'apt index not read, the versions it offers are not known: /var/lib/apt/lists/deb.example.org_debian-security_dists_stable-security_main_binary-all_Packages.xz (no xz decoder)',
    ]);
    const reason = 'unexplained: package origin not checked: a repository index in the root cannot be read (see the diagnostics)';
    expect(xz.verdicts).toEqual(expect.arrayContaining([
      ['/usr/bin/hello', 'changed', 'package-content by upgrade hello'],
      ['/etc/passwd', 'changed', 'side-effect by upgrade hello'],
      ['/usr/sbin/newd', 'added', reason],
      ['/usr/sbin', 'changed', 'unexplained: an entry in it changed without explanation'],
    ]));
    expect(xz.code).toBe(1 | 4);
  });
});
