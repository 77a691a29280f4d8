/**
 * Builds tiny real packages with rpmbuild / dpkg-deb and installs them into
 * private roots, for the integration tests. Tools are called by absolute
 * path: a missing rpmbuild makes the test fail, never skip.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, underRoot } from '../helpers/tree.js';

/** Root-relative BytePath -> content, or content and mode. */
export type Tree = Record<string, string | { content: string; mode: number }>;


export function writeTree(base: string, tree: Tree): void {
  for (const [path, spec] of Object.entries(tree)) {
    const full = underRoot(base, path);
    mkdirSync(underRoot(base, path.slice(0, path.lastIndexOf('/'))), { recursive: true });
    const { content, mode } = typeof spec === 'string' ? { content: spec, mode: 0o644 } : spec;
    writeFileSync(full, content);
    chmodSync(full, mode);
  }
}

export interface RpmSpec {
  name: string;
  version: string;
  epoch?: number;
  files: Tree;
  /** %files lines, e.g. "%config(noreplace) /etc/x", "/usr/share/x" (a directory takes its contents). */
  filesSection: string[];
}

export function buildRpm(work: string, spec: RpmSpec): string {
  const top = join(work, `top-${spec.name}-${spec.version}`);
  const stage = join(work, `stage-${spec.name}-${spec.version}`);
  for (const d of ['SPECS', 'RPMS', 'BUILD', 'SOURCES', 'SRPMS']) mkdirSync(join(top, d), { recursive: true });
  writeTree(stage, spec.files);
  const specFile = join(top, 'SPECS', `${spec.name}.spec`);
  writeFileSync(
    specFile,
    [
      `Name: ${spec.name}`,
      `Version: ${spec.version}`,
      'Release: 1',
      ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []),
      'Summary: driftscan test package',
      'License: MIT',
      'BuildArch: noarch',
      '%description',
      'test',
      '%install',
      `cp -a ${stage}/. %{buildroot}/`,
      '%files',
      ...spec.filesSection,
      '',
    ].join('\n'),
  );
  execFileSync('/usr/bin/rpmbuild', [
    '--quiet',
    '--define', `_topdir ${top}`,
    '--define', '_invalid_encoding_terminates_build 0',
    '--define', '_build_id_links none',
    '--define', '__os_install_post %{nil}',
    '--buildroot', join(work, `buildroot-${spec.name}-${spec.version}`),
    '-bb', specFile,
  ], { stdio: 'pipe' });
  return join(top, 'RPMS', 'noarch', `${spec.name}-${spec.version}-1.noarch.rpm`);
}

export function rpmInRoot(root: string, ...args: string[]): string {
  return execFileSync('/usr/bin/rpm', ['--root', root, '--dbpath', '/var/lib/rpm', ...args], { stdio: 'pipe' }).toString('latin1');
}

export function newRpmRoot(work: string): string {
  const root = join(work, 'root');
  mkdirSync(root);
  rpmInRoot(root, '--initdb');
  return root;
}

export interface DebSpec {
  name: string;
  version: string;
  files: Tree;
  conffiles?: string[];
}

export function buildDeb(work: string, spec: DebSpec): string {
  const dir = join(work, `deb-${spec.name}-${spec.version.replace(/:/g, '_')}`);
  writeTree(dir, spec.files);
  mkdirSync(join(dir, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(dir, 'DEBIAN', 'control'),
    `Package: ${spec.name}\nVersion: ${spec.version}\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: driftscan test\n`,
  );
  if (spec.conffiles) writeFileSync(join(dir, 'DEBIAN', 'conffiles'), spec.conffiles.map((p) => `${p}\n`).join(''));
  // md5sums lists non-conffiles, relative, as dh_md5sums writes it.
  const lines = Object.keys(spec.files)
    .filter((p) => !spec.conffiles?.includes(p))
    .map((p) => Buffer.concat([Buffer.from(md5(spec.files[p]) + '  '), Buffer.from(p.slice(1), 'latin1'), Buffer.from('\n')]));
  writeFileSync(join(dir, 'DEBIAN', 'md5sums'), Buffer.concat(lines));
  const deb = `${dir}.deb`;
  execFileSync('/usr/bin/dpkg-deb', ['--build', '--root-owner-group', dir, deb], { stdio: 'pipe' });
  return deb;
}

function md5(spec: Tree[string]): string {
  return hash('md5', typeof spec === 'string' ? spec : spec.content);
}

export function hash(algo: string, content: string | Buffer): string {
  return createHash(algo).update(content).digest('hex');
}

/** An empty dpkg database as dpkg needs it, in a fresh root. */
export function newDpkgRoot(work: string): string {
  const root = join(work, 'root');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(root, 'var/lib/dpkg', d), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  return root;
}

export function installDeb(root: string, deb: string): void {
  execFileSync('/usr/bin/dpkg', [
    `--root=${root}`,
    `--admindir=${root}/var/lib/dpkg`,
    '--force-not-root',
    '--force-script-chrootless',
    '--log=/dev/null',
    '-i',
    deb,
  ], { stdio: 'pipe' });
}

/** Runs a tool and returns its stdout whatever its exit status (rpm -Va exits 1 on findings). */
export function rawOutput(program: string, args: string[]): string {
  try {
    return execFileSync(program, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString('latin1');
  } catch (e) {
    const err = e as { stdout?: Buffer };
    if (err.stdout) return err.stdout.toString('latin1');
    throw e;
  }
}
