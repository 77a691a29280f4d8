/**
 * The scanned root is evidence, package tools included: a baseline and a scan
 * with the real rpm and dpkg, of a real rpm root and a real dpkg root, and of
 * read-only bind mounts of them, leave every path's lstat (atimes of files and
 * directories included, set old enough that relatime would update them) and
 * every file's content as they were; nothing is created (rpm's sqlite -shm and
 * -wal included), and a second scan of the untouched root is clean (exit 0).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeb, buildRpm, installDeb, newDpkgRoot, newRpmRoot, rpmInRoot,
} from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { CLI, driftscan, keygen, type CliResult } from '../helpers/cli.js';

const OLD = new Date('2001-02-03T04:05:06Z');
const O_NOATIME = fs.constants.O_NOATIME!;

/** Every path under root (root included). */
function list(root: string): Buffer[] {
  const out: Buffer[] = [Buffer.from(root)];
  for (let i = 0; i < out.length; i++) {
    if (!fs.lstatSync(out[i]!).isDirectory()) continue;
    for (const name of fs.readdirSync(out[i]!, { encoding: 'buffer' })) out.push(Buffer.concat([out[i]!, Buffer.from('/'), name]));
  }
  return out;
}

/** Old atimes everywhere: any read through the kernel would now update them. */
function ageAtimes(paths: Buffer[]): void {
  for (const p of paths) fs.lutimesSync(p, OLD, fs.lstatSync(p).mtime);
}

/** lstat of each path (symlink atimes aside: readlink(2) always sets them) and each file's content, read with O_NOATIME. */
function record(paths: Buffer[]): string[] {
  return paths.map((p) => {
    const st = fs.lstatSync(p, { bigint: true });
    const atime = st.isSymbolicLink() ? '-' : st.atimeNs;
    let content = '';
    if (st.isFile()) {
      const fd = fs.openSync(p, fs.constants.O_RDONLY | O_NOATIME | fs.constants.O_NOFOLLOW);
      content = fs.readFileSync(fd).toString('hex');
      fs.closeSync(fd);
    }
    return `${p.toString('latin1')} ${[st.dev, st.ino, st.mode, st.nlink, st.uid, st.gid, st.size, atime, st.mtimeNs, st.ctimeNs].join(' ')} ${content}`;
  });
}

/** Runs the CLI with `root` bind-mounted read-only at `view`, in a private mount namespace (as driftscan does itself). */
function throughReadOnlyMount(root: string, view: string, args: (view: string) => string[]): CliResult {
  const script = 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && exec "$@"';
  const r = spawnSync('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', root, view, process.execPath, CLI, ...args(view)], {
    encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Whether this machine lets the test make a read-only bind mount (root, mount namespaces). */
function probeMounts(): string | undefined {
  const a = tempDir('ds-probe-a-');
  const b = tempDir('ds-probe-b-');
  const r = spawnSync('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c',
    'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && ! touch "$2/x" 2>/dev/null', 'sh', a, b], { encoding: 'utf8' });
  fs.rmSync(a, { recursive: true, force: true });
  fs.rmSync(b, { recursive: true, force: true });
  return r.status === 0 ? undefined : `cannot make a read-only bind mount here (${(r.stderr || r.error?.message || `status ${r.status}`).trim()})`;
}
const noMounts = probeMounts();
if (noMounts) console.warn(`package-root-evidence: read-only mount cases skipped: ${noMounts}`);

let keys: { key: string; pub: string };
beforeAll(() => {
  keys = keygen(path.join(tempDir('ds-keys-'), 'k'));
});

function rpmRoot(): string {
  const work = tempDir('ds-ev-rpm-');
  const root = newRpmRoot(work);
  const rpm = buildRpm(work, {
    name: 'evid', version: '1.0',
    files: { '/usr/bin/evid': 'evid v1\n', '/etc/evid.conf': 'x=1\n', '/usr/share/evid/data': 'data\n' },
    filesSection: ['/usr/bin/evid', '%config(noreplace) /etc/evid.conf', '/usr/share/evid'],
  });
  rpmInRoot(root, '-i', '--nodeps', '--noscripts', rpm);
  // As a cleanly closed database is on disk (the -wal is empty): rpm cannot open
  // it on a read-only filesystem without creating these, so only a copy works.
  for (const scratch of ['rpmdb.sqlite-shm', 'rpmdb.sqlite-wal']) fs.rmSync(path.join(root, 'var/lib/rpm', scratch));
  return root;
}

function dpkgRoot(): string {
  const work = tempDir('ds-ev-dpkg-');
  const root = newDpkgRoot(work);
  const files = { '/usr/bin/evid': 'evid v1\n', '/etc/evid.conf': 'x=1\n', '/usr/share/evid/data': 'data\n' };
  installDeb(root, buildDeb(work, { name: 'evid', version: '1.0', files, conffiles: ['/etc/evid.conf'] }));
  return root;
}

/** A baseline and two scans through `run`; each must finish with the package check done. */
function baselineAndScans(manager: string, run: (args: string[]) => CliResult, file: string): void {
  const b = run(['baseline', '/', '--key', keys.key, '-o', file, '--packages', manager]);
  expect(b.stderr).toContain(`1 ${manager} packages`);
  expect(b.code, b.stderr).toBe(0);
  for (let i = 0; i < 2; i++) {
    const s = run(['scan', file, '--pubkey', keys.pub, '--packages', manager, '--format', 'json']);
    expect(s.code, s.stderr).toBe(0);
    const doc = JSON.parse(s.stdout);
    expect(doc.findings).toEqual([]);
    expect(doc.packages.manager).toBe(manager);
    expect(doc.diagnostics.filter((d: string) => /incomplete|cannot|not run/.test(d))).toEqual([]);
    expect(doc.summary.clean).toBe(true);
  }
}

describe.each([
  ['rpm', rpmRoot],
  ['dpkg', dpkgRoot],
])('a %s root', (manager, makeRoot) => {
  it('a baseline and scans with the package tool change nothing in the root, atimes included', () => {
    const root = makeRoot();
    const paths = list(root);
    ageAtimes(paths);
    const before = record(paths);
    const file = path.join(tempDir('ds-ev-out-'), 'b.dsb');
    baselineAndScans(manager, (args) => driftscan([...args, '--root', root]), file);
    expect(record(paths)).toEqual(before);
    expect(list(root).map(String)).toEqual(paths.map(String));
  });

  it.skipIf(noMounts !== undefined)('a read-only bind mount of it can be baselined and scanned, and its source is unchanged', () => {
    const root = makeRoot();
    const view = tempDir('ds-ev-view-');
    const paths = list(root);
    ageAtimes(paths);
    const before = record(paths);
    const file = path.join(tempDir('ds-ev-out-'), 'b.dsb');
    baselineAndScans(manager, (args) => throughReadOnlyMount(root, view, (v) => [...args, '--root', v]), file);
    expect(record(paths)).toEqual(before);
    expect(list(root).map(String)).toEqual(paths.map(String));
    // The package tool really looks through the read-only view: a change to the source is its finding.
    fs.appendFileSync(path.join(root, 'usr/bin/evid'), 'trojan\n');
    const s = throughReadOnlyMount(root, view, (v) => ['scan', file, '--pubkey', keys.pub, '--root', v, '--format', 'json']);
    const doc = JSON.parse(s.stdout);
    expect(doc.findings.map((f: { source: string; path: string }) => [f.source, f.path])).toContainEqual([manager, '/usr/bin/evid']);
    expect(s.code & 4).toBe(4);
  });
});

describe('a filesystem mounted below the root', () => {
  it.skipIf(noMounts !== undefined)('is read-only and noatime in the package tool\'s view too', () => {
    const root = dpkgRoot();
    const file = path.join(tempDir('ds-ev-out-'), 'b.dsb');
    // Inside one private namespace: a tmpfs over the package's directory (the walk stays on
    // the root's filesystem; dpkg reads through it), old atimes, a baseline and a scan, then
    // the atimes again.
    const script = [
      'set -e', 'root=$1; file=$2; key=$3; pub=$4; node=$5; cli=$6', 'd="$root/usr/share/evid"',
      'mount -t tmpfs none "$d"', "printf 'data\\n' > \"$d/data\"", "touch -a -d '2001-02-03 04:05:06' \"$d/data\" \"$d\"",
      'stat -c "before %n %X" "$d/data" "$d"',
      '"$node" "$cli" baseline / --root "$root" --key "$key" -o "$file" --packages dpkg >/dev/null 2>&1 || echo "baseline $?"',
      '"$node" "$cli" scan "$file" --pubkey "$pub" --root "$root" --packages dpkg >/dev/null 2>&1 || echo "scan $?"',
      'stat -c "after %n %X" "$d/data" "$d"',
    ].join('\n');
    const r = spawnSync('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', root, file, keys.key, keys.pub, process.execPath, CLI], {
      encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => /^(baseline|scan) /.test(l))).toEqual([]);
    const before = lines.filter((l) => l.startsWith('before ')).map((l) => l.slice(7));
    expect(before).toHaveLength(2);
    expect(before.every((l) => l.endsWith(' 981173106'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('after ')).map((l) => l.slice(6))).toEqual(before);
  });
});

describe('the checks above can fail', () => {
  it('rpm run directly on the root (not through driftscan) changes it', () => {
    const root = rpmRoot();
    const paths = list(root);
    ageAtimes(paths);
    const before = record(paths);
    rpmInRoot(root, '-qa');
    rpmInRoot(root, '-Va');
    expect(record(paths)).not.toEqual(before);
  });
});

describe('without a read-only view', () => {
  it('the package tool is not run against the live tree: the package half is not done, with one reason', () => {
    // As an unprivileged user the view cannot be made noatime (a user namespace may not
    // change a mount's atime flags), or no namespace can be made at all.
    const root = dpkgRoot();
    const out = tempDir('ds-ev-nobody-');
    const file = path.join(out, 'b.dsb');
    expect(driftscan(['baseline', '/usr', '--root', root, '--key', keys.key, '-o', file, '--packages', 'dpkg']).code).toBe(0);
    const pub = path.join(out, 'k.pub');
    fs.copyFileSync(keys.pub, pub);
    fs.chmodSync(pub, 0o644);
    fs.chmodSync(file, 0o644);
    for (const p of list(root)) fs.chmodSync(p, fs.lstatSync(p).isDirectory() ? 0o755 : 0o644);
    // Not the walk's files (an unprivileged reader cannot use O_NOATIME on files it does not
    // own): the package database, which only dpkg and driftscan's database reads touch.
    const db = list(path.join(root, 'var/lib/dpkg'));
    ageAtimes(db);
    const before = record(db);

    const s = driftscan(['scan', file, '--pubkey', pub, '--root', root, '--packages', 'dpkg', '--format', 'json'], {}, 65534);
    const doc = JSON.parse(s.stdout);
    expect(doc.diagnostics.join('\n')).toMatch(/cannot make a private read-only view of .* to run \/usr\/bin\/dpkg-query in \(.+\); not running it against the live tree/);
    expect(doc.summary.clean).toBe(false);
    expect(s.code & 8).toBe(8);
    expect(record(db)).toEqual(before);
  });
});
