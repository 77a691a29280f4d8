/**
 * False "clean": package findings the walk never looked at must count. With
 * real dpkg roots: a packaged file reached through a symlinked directory, a
 * packaged file on another filesystem below a start path, database files
 * created after the baseline, and findings outside the policy's paths.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rawOutput, rpmInRoot, type Tree,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';

let keys: string;
const mounts: string[] = [];

beforeAll(() => {
  keys = path.join(tempDir('ds-keys-'), 'k');
  expect(driftscan(['keygen', '--out', keys]).code).toBe(0);
});

afterAll(() => {
  for (const m of mounts.reverse()) execFileSync('umount', [m]);
});

/** A dpkg root with one package installed; `prepare` runs before the install. */
function dpkgRoot(name: string, files: Tree, prepare: (root: string) => void = () => {}): string {
  const work = tempDir('ds-false-clean-');
  const root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  prepare(root);
  installDeb(root, buildDeb(work, { name, version: '1.0', files }));
  return root;
}

function baseline(root: string, ...paths: string[]): string {
  const file = path.join(path.dirname(root), 'b.dsb');
  const r = driftscan(['baseline', ...paths, '--root', root, '--key', path.join(keys, 'driftscan.key'), '-o', file]);
  expect(r.code, r.stderr).toBe(0);
  return file;
}

function scan(file: string, root: string, ...args: string[]) {
  return driftscan(['scan', file, '--pubkey', path.join(keys, 'driftscan.pub'), '--root', root, ...args]);
}

/** The report's finding lines (not the # notes). */
const findingLines = (stdout: string) => stdout.split('\n').filter((l) => l && !l.startsWith('#'));

function dpkgVerify(root: string): string {
  return rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--log=/dev/null']);
}

describe('a packaged file reached through a symlinked directory', () => {
  it('into a tree the policy does not walk: tampering is a finding, never preexisting', () => {
    const root = dpkgRoot('shim', { '/usr/lib/foo/data': 'data v1\n', '/usr/bin/tool': 'tool v1\n' });
    // The package's directory now lives under /var, which the baseline does not walk.
    fs.mkdirSync(path.join(root, 'var/lib'), { recursive: true });
    fs.renameSync(path.join(root, 'usr/lib/foo'), path.join(root, 'var/lib/foo'));
    fs.symlinkSync('../../var/lib/foo', path.join(root, 'usr/lib/foo'));
    const file = baseline(root, '/usr', '/etc');
    expect(scan(file, root).code).toBe(0);

    fs.writeFileSync(path.join(root, 'var/lib/foo/data'), 'trojan\n');
    expect(dpkgVerify(root)).toBe('??5??????   /usr/lib/foo/data\n');
    const r = scan(file, root);
    expect(findingLines(r.stdout)).toEqual(['??5??????    /usr/lib/foo/data  [dpkg shim unexplained]']);
    expect(r.stdout).toMatch(/^# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 0 not checked, 1 package findings;/m);
    expect(r.code).toBe(4);
  });

  it('into the walked tree (merged /usr): unchanged since the baseline is preexisting, tampering is caught on both paths', () => {
    const root = dpkgRoot('libfoo', { '/lib/x/libfoo.so': 'lib v1\n' }, (r) => {
      fs.mkdirSync(path.join(r, 'usr/lib'), { recursive: true });
      fs.symlinkSync('usr/lib', path.join(r, 'lib'));
    });
    fs.writeFileSync(path.join(root, 'usr/lib/x/libfoo.so'), 'patched locally before the baseline\n');
    const file = baseline(root, '/lib', '/usr', '/etc');
    const before = scan(file, root, '--format', 'json');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).findings.map((f: { path: string; triage: string }) => [f.path, f.triage]))
      .toEqual([['/lib/x/libfoo.so', 'preexisting']]);

    fs.writeFileSync(path.join(root, 'usr/lib/x/libfoo.so'), 'trojan\n');
    const r = scan(file, root);
    const lines = findingLines(r.stdout);
    expect(lines[0]).toBe('??5??????    /lib/x/libfoo.so  [dpkg libfoo unexplained]');
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(/^S\.5\.\.\.\.[.T]\. {4}\/usr\/lib\/x\/libfoo\.so  ctime$/);
    expect(r.code).toBe(4);
  });
});

describe('a packaged file on another filesystem below a start path', () => {
  let root: string;
  let file: string;

  beforeAll(() => {
    root = dpkgRoot('grub', { '/boot/efi/EFI/grubx64.efi': 'grub v1\n', '/boot/vmlinuz': 'kernel\n' }, (r) => {
      const efi = path.join(r, 'boot/efi');
      fs.mkdirSync(efi, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', efi]);
      mounts.push(efi);
    });
    file = baseline(root, '/boot', '/etc');
    expect(scan(file, root).code).toBe(0);
  });

  it('tampered: the walk did not enter it, so the dpkg finding counts', () => {
    fs.writeFileSync(path.join(root, 'boot/efi/EFI/grubx64.efi'), 'bootkit\n');
    const r = scan(file, root);
    expect(findingLines(r.stdout)).toEqual(['??5??????    /boot/efi/EFI/grubx64.efi  [dpkg grub unexplained]']);
    expect(r.code).toBe(4);
  });

  it('removed: absent from a directory the walk never listed is not "unchanged"', () => {
    fs.rmSync(path.join(root, 'boot/efi/EFI/grubx64.efi'));
    const r = scan(file, root);
    expect(findingLines(r.stdout)).toEqual(['missing     /boot/efi/EFI/grubx64.efi  [dpkg grub unexplained]']);
    expect(r.code).toBe(2);
  });
});

describe('rpm: the same two shapes', () => {
  it('through a symlinked directory and on a tmpfs below /boot: rpm -Va sees the tampering, so does the scan', () => {
    const work = tempDir('ds-false-clean-rpm-');
    const root = newRpmRoot(work);
    const efi = path.join(root, 'boot/efi');
    fs.mkdirSync(efi, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', efi]);
    mounts.push(efi);
    rpmInRoot(root, '-i', '--nodeps', '--noscripts', buildRpm(work, {
      name: 'shim', version: '1.0',
      files: { '/boot/efi/EFI/shimx64.efi': 'shim v1\n', '/usr/lib/foo/data': 'data v1\n', '/usr/bin/shimtool': 'tool\n' },
      filesSection: ['/boot/efi/EFI/shimx64.efi', '/usr/lib/foo/data', '/usr/bin/shimtool'],
    }));
    fs.mkdirSync(path.join(root, 'var/lib'), { recursive: true });
    fs.renameSync(path.join(root, 'usr/lib/foo'), path.join(root, 'var/lib/foo'));
    fs.symlinkSync('../../var/lib/foo', path.join(root, 'usr/lib/foo'));
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    const file = baseline(root, '/usr', '/boot', '/etc');
    expect(scan(file, root).code).toBe(0);

    fs.writeFileSync(path.join(root, 'boot/efi/EFI/shimx64.efi'), 'bootkit\n');
    fs.writeFileSync(path.join(root, 'var/lib/foo/data'), 'trojan!\n');
    const tool = rawOutput('/usr/bin/rpm', ['-Va', '--nodeps', '--noscripts', '--root', root, '--dbpath', '/var/lib/rpm']);
    const toolLines = tool.split('\n').filter(Boolean);
    expect(toolLines.map((l) => l.slice(13))).toEqual(['/boot/efi/EFI/shimx64.efi', '/usr/lib/foo/data']);
    const r = scan(file, root);
    expect(findingLines(r.stdout)).toEqual(toolLines.map((l) => `${l}  [rpm shim unexplained]`));
    expect(r.code).toBe(4);
  });
});

describe('package database files created after the baseline', () => {
  it('statoverride and diversions: printed as unexplained, counted as added, exit bit 1', () => {
    const root = dpkgRoot('hello', { '/usr/bin/hello': 'hello v1\n' });
    const file = baseline(root, '/usr', '/etc');
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/statoverride'), 'root root 4755 /usr/bin/hello\n');
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/diversions'), '/usr/bin/hello\n/usr/bin/hello.real\nhello\n');
    const r = scan(file, root);
    const note = 'package database file changed although no package was installed, removed or upgraded';
    expect(findingLines(r.stdout)).toEqual([
      `added       /var/lib/dpkg/diversions  ${note}  [dpkg unowned unexplained]`,
      `added       /var/lib/dpkg/statoverride  ${note}  [dpkg unowned unexplained]`,
    ]);
    expect(r.stdout).toMatch(/^# driftscan: NOT clean: 0 changed, 0 missing, 0 added, 0 not checked, 2 package findings;/m);
    expect(r.code).toBe(1);
    const doc = JSON.parse(scan(file, root, '--format', 'json').stdout);
    expect(doc.summary.packages).toEqual({ changed: 0, missing: 0, added: 2, untested: 0, preexisting: 0 });
    expect(doc.summary.clean).toBe(false);
  });
});

describe('package findings outside the policy', () => {
  it('are shown, marked outside policy, and counted', () => {
    const root = dpkgRoot('docs', { '/usr/bin/docs': 'docs v1\n', '/usr/share/doc/docs/README': 'read me\n' });
    const file = baseline(root, '/usr/bin', '/etc');
    fs.writeFileSync(path.join(root, 'usr/share/doc/docs/README'), 'changed\n');
    const r = scan(file, root);
    expect(findingLines(r.stdout)).toEqual(['??5??????    /usr/share/doc/docs/README  outside policy  [dpkg docs unexplained]']);
    expect(r.code).toBe(4);
    const ndjson = scan(file, root, '--format', 'ndjson').stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(ndjson).toMatchObject([{ path: '/usr/share/doc/docs/README', source: 'dpkg', outside_policy: true, triage: 'unexplained' }]);
  });
});
