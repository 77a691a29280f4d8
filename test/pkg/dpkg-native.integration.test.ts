/**
 * driftscan's own dpkg verify (dpkg-native.ts) against the real
 * `dpkg --verify`, line for line (as sorted sets: dpkg's own order is its hash
 * table's), on a root built and changed with the real dpkg, dpkg-divert and
 * maintainer scripts; then the whole scan's findings with either verifier;
 * then this host's own root, read only.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackageData, verifyPackages } from '../../src/pkg/index.js';
import { verifyDpkgNative } from '../../src/pkg/dpkg-native.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from './build-packages.js';
import { buildScriptedDeb } from './patch-day.js';
import { tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

let work: string;
let root: string;
let keys: { key: string; pub: string };
const ADMIN = '/var/lib/dpkg';
const LATIN = Buffer.from('/usr/share/alpha/caf\xe9', 'latin1').toString('latin1');

function dpkg(...args: string[]): void {
  execFileSync('/usr/bin/dpkg', [`--root=${root}`, `--admindir=${root}${ADMIN}`, '--force-not-root', '--force-script-chrootless', '--log=/dev/null', ...args], { stdio: 'pipe' });
}

function realVerify(at: string, admin = `${at}${ADMIN}`): string[] {
  const out = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${at}`, `--admindir=${admin}`, '--log=/dev/null']);
  return out.split('\n').filter((l) => l !== '').sort();
}

async function nativeVerify(at: string): Promise<string[]> {
  const r = await verifyDpkgNative(at, ADMIN, await readPackageData(at, 'dpkg'));
  expect(r.findings.filter((f) => f.status === 'untested')).toEqual([]);
  return [...r.lines].sort();
}

beforeAll(() => {
  work = tempDir('ds-dpkg-native-');
  root = newDpkgRoot(work);
  keys = keygen(join(work, 'keys'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  const alpha: Record<string, string> = {
    '/usr/share/alpha/changed': 'a1\n', '/usr/share/alpha/gone': 'g\n', '/usr/share/alpha/as-link': 'same\n',
    '/usr/share/alpha/copy': 'same\n', '/usr/share/alpha/as-dir': 'd\n', '/usr/share/alpha/dangling': 'x\n',
    '/usr/share/alpha/with space': 'sp\n', '/usr/share/alpha/back\\slash': 'bs\n', [LATIN]: 'latin\n',
    '/usr/share/alpha/same-size': 'abcd\n', '/usr/share/alpha/sub/x': 'x\n', '/usr/share/delta/y': 'y\n',
    '/etc/alpha.conf': 'a=1\n', '/etc/alpha-gone.conf': 'g=1\n',
  };
  installDeb(root, buildDeb(work, { name: 'alpha', version: '1.0', files: alpha, conffiles: ['/etc/alpha.conf', '/etc/alpha-gone.conf'] }));
  installDeb(root, buildDeb(work, { name: 'beta', version: '1.0', files: { '/usr/bin/beta': 'b1\n', '/etc/beta.conf': 'b=1\n', '/etc/beta-old.conf': 'old=1\n' }, conffiles: ['/etc/beta.conf', '/etc/beta-old.conf'] }));
  installDeb(root, buildDeb(work, { name: 'gamma', version: '1.0', files: { '/usr/bin/gamma': 'g\n', '/etc/gamma.conf': 'g=1\n' }, conffiles: ['/etc/gamma.conf'] }));
  installDeb(root, buildDeb(work, { name: 'orig', version: '1.0', files: { '/usr/bin/tool': 'orig tool\n' } }));
  execFileSync('/usr/bin/dpkg-divert', [`--root=${root}`, `--admindir=${root}${ADMIN}`, '--package', 'wrapper', '--divert', '/usr/bin/tool.distrib', '--rename', '/usr/bin/tool'], { stdio: 'pipe' });
  installDeb(root, buildDeb(work, { name: 'wrapper', version: '1.0', files: { '/usr/bin/tool': 'wrapper\n' } }));
  // Locally edited conffiles are kept, and one dropped by version 2 stays as an obsolete conffile.
  appendFileSync(join(root, 'etc/beta.conf'), '# local\n');
  appendFileSync(join(root, 'etc/beta-old.conf'), '# local\n');
  dpkg('--force-confold', '-i', buildScriptedDeb(work, {
    name: 'beta', version: '2.0', files: { '/usr/bin/beta': 'b2\n', '/etc/beta.conf': 'b=2\n', '/usr/share/beta/new': 'n\n' },
    conffiles: ['/etc/beta.conf'], postinst: 'echo configured > "$DPKG_ROOT/etc/beta.state"',
  }));
  dpkg('-r', 'gamma');
  const baseline = driftscan(['baseline', '/', '--root', root, '--key', keys.key, '-o', join(work, 'b.dsb')]);
  expect(baseline.code, baseline.stderr).toBe(0);

  const at = (p: string) => join(root, p);
  writeFileSync(at('usr/share/alpha/changed'), 'a2\n');
  rmSync(at('usr/share/alpha/gone'));
  rmSync(at('usr/share/alpha/as-link'));
  symlinkSync('copy', at('usr/share/alpha/as-link'));
  rmSync(at('usr/share/alpha/dangling'));
  symlinkSync('nowhere', at('usr/share/alpha/dangling'));
  writeFileSync(at('usr/share/alpha/with space'), 'SP\n');
  writeFileSync(Buffer.from(join(root, LATIN), 'latin1'), 'LATIN\n');
  writeFileSync(at('usr/share/alpha/back\\slash'), 'BS\n');
  // Same size, the old times put back: only the content says.
  const t = execFileSync('stat', ['-c', '%y', at('usr/share/alpha/same-size')]).toString().trim();
  writeFileSync(at('usr/share/alpha/same-size'), 'abce\n');
  execFileSync('touch', ['-d', t, at('usr/share/alpha/same-size')]);
  rmSync(at('usr/share/delta'), { recursive: true });
  writeFileSync(at('etc/alpha.conf'), 'a=2\n');
  rmSync(at('etc/alpha-gone.conf'));
  writeFileSync(at('etc/gamma.conf'), 'g=2\n');
  writeFileSync(at('usr/bin/tool.distrib'), 'trojan\n');
  writeFileSync(at('usr/bin/tool'), 'trojan\n');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('driftscan dpkg verify against dpkg --verify', () => {
  it('prints the lines dpkg prints, on a root with every kind of change', async () => {
    const real = realVerify(root);
    // The root really has each case, so the comparison is not of two empty lists.
    expect(real).toEqual(expect.arrayContaining([
      '??5?????? c /etc/alpha.conf', 'missing   c /etc/alpha-gone.conf', '??5??????   /usr/share/alpha/changed',
      'missing     /usr/share/alpha/gone', '?M???????   /usr/share/alpha/dangling',
      '??5??????   /usr/share/alpha/same-size', '??5??????   /usr/share/alpha/with space', '??5??????   /usr/bin/tool',
      '??5?????? c /etc/gamma.conf', '??5?????? c /etc/beta-old.conf', '?M.??????   /usr/share/alpha/as-link',
      'missing     /usr/share/delta/y', 'missing     /usr/share/delta',
    ]));
    expect(await nativeVerify(root)).toEqual(real);
  });

  it('gives the same scan findings as with the real tool', () => {
    const scan = (env: Record<string, string>) => {
      const r = driftscan(['scan', join(work, 'b.dsb'), '--root', root, '--pubkey', keys.pub, '--format', 'json'], env);
      expect(r.code, r.stderr).toBeLessThan(16);
      return { code: r.code, findings: JSON.parse(r.stdout).findings };
    };
    const native = scan({});
    const tool = scan({ DRIFTSCAN_DPKG_VERIFY: 'tool' });
    expect(native.findings.filter((f: { source: string }) => f.source === 'dpkg').length).toBeGreaterThan(10);
    expect(native).toEqual(tool);
  });

  it('gives dpkg\'s line for a path under a file (ENOTDIR)', async () => {
    rmSync(join(root, 'usr/share/alpha/sub'), { recursive: true });
    writeFileSync(join(root, 'usr/share/alpha/sub'), 'a file where a directory was\n');
    const real = realVerify(root);
    expect(real).toContain('missing     /usr/share/alpha/sub/x (Not a directory)');
    expect(await nativeVerify(root)).toEqual(real);
  });

  it('reports a directory where a file was, where dpkg itself aborts', async () => {
    rmSync(join(root, 'usr/share/alpha/as-dir'));
    mkdirSync(join(root, 'usr/share/alpha/as-dir'));
    expect(() => execFileSync('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}${ADMIN}`, '--log=/dev/null'], { stdio: 'pipe' })).toThrow();
    expect(await nativeVerify(root)).toContain('?M5??????   /usr/share/alpha/as-dir');
  });

  it('records the same md5s, in the same baseline bytes, at every --jobs', () => {
    const out = (jobs: string) => {
      const file = join(work, `jobs-${jobs}.dsb`);
      const r = driftscan(['baseline', '/', '--root', root, '--key', keys.key, '-o', file, '--jobs', jobs]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(file);
    };
    const one = out('1');
    expect(out('3').equals(one)).toBe(true);
  });

  it('a database dpkg itself would refuse is left to the real dpkg, and says so', async () => {
    const work2 = tempDir('ds-dpkg-native-refused-');
    const r2 = newDpkgRoot(work2);
    installDeb(r2, buildDeb(work2, { name: 'solo', version: '1.0', files: { '/usr/bin/solo': 'solo\n' } }));
    const sums = join(r2, 'var/lib/dpkg/info/solo.md5sums');
    writeFileSync(sums, readFileSync(sums, 'latin1').replace(/\n$/, ''), 'latin1');
    const result = await verifyPackages(r2, 'dpkg', await readPackageData(r2, 'dpkg'));
    expect(result.diagnostics.join('\n')).toMatch(/solo\.md5sums is missing its final newline: the real dpkg --verify is run instead/);
    // dpkg aborts on it: the check is incomplete, never clean.
    expect(result.incomplete).toMatch(/dpkg --verify exited with status/);
    rmSync(work2, { recursive: true, force: true });
  });

  it.runIf(existsSync(`/var/lib/dpkg/status`))('prints the lines dpkg prints for this host, read only', async () => {
    expect(await nativeVerify('/')).toEqual(realVerify('/', ADMIN));
  }, 120_000);
});


