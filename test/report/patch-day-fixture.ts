/**
 * A small real patch day for the report formats: a dpkg root whose `hello`
 * is upgraded by a logged dpkg run (explained findings), then attacked after
 * the run (unexplained ones), with a name that carries escapes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { at, tempDir } from '../helpers/tree.js';
import { buildScriptedDeb, installLogged, newMergedUsrRoot, nextSecond, writeAptIndex } from '../pkg/patch-day.js';
import { driftscan, keygen, type CliResult } from '../helpers/cli.js';

export interface PatchDay {
  root: string;
  baseline: string;
  pub: string;
  scan(...args: string[]): CliResult;
}

/** `/usr/bin/evil\n# driftscan: clean` with an ESC: what the attacker adds. */
export const EVIL_NAME = 'usr/bin/ev\\x1b[2Kil\ndone \\xff%20';

export function patchDay(): PatchDay {
  const work = tempDir('ds-report-');
  const root = newMergedUsrRoot(work);
  const { pub, key } = keygen(path.join(work, 'keys'));
  installLogged(root, buildScriptedDeb(work, {
    name: 'hello', version: '1.0', files: { '/bin/hello': { content: 'hello 1.0\n', mode: 0o755 }, '/etc/hello.conf': 'greeting=hi\n' },
    conffiles: ['/etc/hello.conf'],
  }));
  writeAptIndex(root, [['hello', '1.0'], ['hello', '1.1']]);
  const baseline = path.join(work, 'b.dsb');
  const b = driftscan(['baseline', '/', '--root', root, '--key', key, '-o', baseline]);
  expect(b.code, b.stderr).toBe(0);
  nextSecond();
  installLogged(root, buildScriptedDeb(work, {
    name: 'hello', version: '1.1', files: { '/bin/hello': { content: 'hello 1.1 newer\n', mode: 0o755 }, '/etc/hello.conf': 'greeting=hi\n' },
    conffiles: ['/etc/hello.conf'],
  }));
  nextSecond();
  fs.appendFileSync(path.join(root, 'etc/passwd'), 'toor:x:0:0::/root:/bin/sh\n');
  fs.writeFileSync(at(root, EVIL_NAME), 'evil\n');
  fs.chmodSync(at(root, EVIL_NAME), 0o4755);
  return { root, baseline, pub, scan: (...args) => driftscan(['scan', baseline, '--pubkey', pub, '--root', root, ...args]) };
}

export interface JsonFinding {
  path: string;
  path_hex?: string;
  status: string;
  source: string;
  flags?: string;
  kind?: string;
  triage?: string;
  package?: string;
  deltas: Array<{ attr: string; old: unknown; new: unknown }>;
  evidence?: { operation: { name: string; to: string | null; from: string | null } };
}

/** The same scan's findings as --format json gives them: what the other formats must agree with. */
export function jsonFindings(day: PatchDay): JsonFinding[] {
  const r = day.scan('--format', 'json');
  return JSON.parse(r.stdout).findings;
}

/** A finding's path bytes (latin1: one char per byte), from path_hex or the UTF-8 path. */
export function bytesOf(f: { path: string; path_hex?: string }): string {
  return f.path_hex ? Buffer.from(f.path_hex, 'hex').toString('latin1') : Buffer.from(f.path, 'utf8').toString('latin1');
}
