/**
 * A dpkg root as a patch day leaves it: merged /usr, tiny packages with
 * maintainer scripts (run chrootless, honouring $DPKG_ROOT, as the host's
 * /bin/sh), dpkg's own log written inside the root, and apt indexes saying
 * which versions the configured repository offers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeb, newDpkgRoot, type DebSpec } from './build-packages.js';

export interface ScriptedDeb extends DebSpec {
  /** Shell run as postinst (after `set -e`), with $DPKG_ROOT the root. */
  postinst?: string;
  /** Packaged symlinks: path -> target. */
  links?: Record<string, string>;
}

/** buildDeb, plus a postinst: the package directory is rebuilt with the script in DEBIAN/. */
export function buildScriptedDeb(work: string, spec: ScriptedDeb): string {
  const deb = buildDeb(work, spec);
  if (!spec.postinst && !spec.links) return deb;
  const dir = deb.slice(0, -'.deb'.length);
  if (spec.postinst) writeFileSync(join(dir, 'DEBIAN', 'postinst'), `#!/bin/sh\nset -e\n${spec.postinst}\n`, { mode: 0o755 });
  for (const [path, target] of Object.entries(spec.links ?? {})) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    symlinkSync(target, join(dir, path));
  }
  execFileSync('/usr/bin/dpkg-deb', ['--build', '--root-owner-group', dir, deb], { stdio: 'pipe' });
  return deb;
}

/** A fresh dpkg root with /bin, /sbin and /lib linked into /usr, and an /etc/passwd. */
export function newMergedUsrRoot(work: string): string {
  const root = newDpkgRoot(work);
  for (const d of ['bin', 'sbin', 'lib']) {
    mkdirSync(join(root, 'usr', d), { recursive: true });
    symlinkSync(`usr/${d}`, join(root, d));
  }
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'var/log'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  return root;
}

/** One dpkg -i run of these .debs, logging to the root's own /var/log/dpkg.log. */
export function installLogged(root: string, ...debs: string[]): void {
  execFileSync('/usr/bin/dpkg', [
    `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--force-not-root', '--force-script-chrootless',
    `--log=${root}/var/log/dpkg.log`, '-i', ...debs,
  ], { stdio: 'pipe' });
}

/** An apt index of the configured repository, as apt-get update leaves it. */
export function writeAptIndex(root: string, offered: Array<[string, string]>): void {
  const dir = join(root, 'var/lib/apt/lists');
  mkdirSync(dir, { recursive: true });
  const stanzas = offered.map(([name, version]) => `Package: ${name}\nVersion: ${version}\nArchitecture: all\n`);
  writeFileSync(join(dir, 'deb.example.org_debian_dists_stable_main_binary-all_Packages'), stanzas.join('\n'));
}

/** Waits until the wall clock is into the next second: dpkg.log windows have one-second resolution. */
export function nextSecond(): void {
  const target = (Math.floor(Date.now() / 1000) + 1) * 1000 + 20;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, target - Date.now()));
}
