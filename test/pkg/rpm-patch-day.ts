/**
 * rpm packages with a %post scriptlet in rpm's embedded Lua (it runs inside
 * the chroot without a shell in the root), and packaged symlinks.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTree, type Tree } from './build-packages.js';

export interface ScriptedRpm {
  name: string;
  version: string;
  files: Tree;
  links?: Record<string, string>;
  /** %files lines. */
  filesSection: string[];
  /** Lua run as %post. */
  postLua?: string;
}

export function buildScriptedRpm(work: string, spec: ScriptedRpm): string {
  const top = join(work, `top-${spec.name}-${spec.version}`);
  const stage = join(work, `stage-${spec.name}-${spec.version}`);
  for (const d of ['SPECS', 'RPMS', 'BUILD', 'SOURCES', 'SRPMS']) mkdirSync(join(top, d), { recursive: true });
  writeTree(stage, spec.files);
  for (const [path, target] of Object.entries(spec.links ?? {})) {
    mkdirSync(join(stage, path, '..'), { recursive: true });
    symlinkSync(target, join(stage, path));
  }
  const specFile = join(top, 'SPECS', `${spec.name}.spec`);
  writeFileSync(specFile, [
    `Name: ${spec.name}`, `Version: ${spec.version}`, 'Release: 1', 'Summary: driftscan test package', 'License: MIT',
    'BuildArch: noarch', '%description', 'test', '%install', `cp -a ${stage}/. %{buildroot}/`,
    ...(spec.postLua ? ['%post -p <lua>', spec.postLua] : []),
    '%files', ...spec.filesSection, '',
  ].join('\n'));
  execFileSync('/usr/bin/rpmbuild', [
    '--quiet', '--define', `_topdir ${top}`, '--define', '_build_id_links none', '--define', '__os_install_post %{nil}',
    '--buildroot', join(work, `buildroot-${spec.name}-${spec.version}`), '-bb', specFile,
  ], { stdio: 'pipe' });
  return join(top, 'RPMS', 'noarch', `${spec.name}-${spec.version}-1.noarch.rpm`);
}
