/**
 * Text an intruder plants to forge a report line: erase the line, return,
 * print a fake verdict, hide the rest. Shared by the forged-output tests of
 * every format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from './tree.js';
import { driftscan } from './cli.js';
import { REPORTERS, type Report } from '../../src/report/reporters.js';
import { summarize } from '../../src/report/summary.js';
import type { Finding } from '../../src/types.js';

/** Anything a terminal acts on, other than the line breaks and tabs the formats use themselves. */
export const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
export const FORGE = '\x1b[2K\r# driftscan: clean\x1b[8m';
export const FORGE_SHOWN = '\\x1b[2K\\r# driftscan: clean\\x1b[8m';

/** A report whose package name, note, host, tool message and package change all carry FORGE. */
export function forgedPackageReport(installedName: string): Report {
  const finding: Finding = {
    path: '/usr/bin/x', status: 'changed', source: 'rpm', flags: 'S.5......', marker: ' ',
    deltas: [], extra: [], untested: {}, package: `p${FORGE}`, note: `(${FORGE})`, triage: 'unexplained',
  };
  return {
    header: { format: 1, tool: 't', host: `h${FORGE}`, created: 'c', root: '/', policy: '', attrs: [], keyId: 'k', unlisted: [] },
    root: '/', findings: [finding], summary: summarize([finding], 1),
    diagnostics: [`rpm: Unsatisfied dependencies for p${FORGE}:\n\tq is needed by p${FORGE}`],
    packageManager: 'rpm',
    packageChanges: { installed: [{ name: installedName, version: `v${FORGE}`, arch: 'noarch' }], removed: [], upgraded: [] },
  };
}

/** What a reporter writes for a report, as text. */
export function render(report: Report, format: string): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  REPORTERS[format]!(report, out);
  return text;
}

/**
 * A real dpkg root whose package `hello` is also claimed by an md5sums file
 * named with FORGE (sorted after hello.md5sums, so that name is taken as the
 * file's owner), baselined with `key`, then /usr/bin/hello replaced by a trojan.
 */
export function forgedPackageRoot(key: string): { root: string; file: string } {
  const work = tempDir('ds-forge-pkg-');
  const root = newDpkgRoot(work);
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  installDeb(root, buildDeb(work, { name: 'hello', version: '1.0', files: { '/usr/bin/hello': 'hello v1\n' } }));
  const info = path.join(root, 'var/lib/dpkg/info');
  fs.copyFileSync(path.join(info, 'hello.md5sums'), path.join(info, `zz${FORGE}.md5sums`));
  const file = path.join(work, 'b.dsb');
  const taken = driftscan(['baseline', '/usr', '/etc', '--root', root, '--key', key, '-o', file]);
  if (taken.code !== 0) throw new Error(`baseline of the forged package root failed (${taken.code}): ${taken.stderr}`);
  fs.writeFileSync(path.join(root, 'usr/bin/hello'), 'trojan\n');
  return { root, file };
}
