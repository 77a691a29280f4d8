/**
 * Attack: a walk that never reaches its interlude. A scan's package half
 * (the package data, the package tool, what to keep of the walk) runs once
 * the walk is far ahead of the hashing or 32,768 entries in (snapshot.ts,
 * gather.ts); a walk of a few entries, or one whose start path the intruder
 * removed, never pauses at all. The package half must still run, at the
 * walk's end, with the walk's entries held for it: no hang, no "walk ended
 * before its package half" error, never a clean report, and the package
 * findings vouched for (preexisting) or not exactly as on a long walk.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { takeBaseline } from '../../src/baseline/build.js';
import { writeAtomic } from '../../src/baseline/store.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { keys } from '../helpers/lib.js';
import type { Finding } from '../../src/types.js';

let root: string;
let file: string;

function shape(f: Finding) {
  return [f.source, f.status, f.flags ?? '-', f.path, f.package ?? '-', f.triage ?? '-'].join(' ');
}

/** The default scan (no packagesAfterBytes: the interlude's own thresholds). */
async function scanNow() {
  const r = await scan({ baselineFile: file, publicKey: keys.publicKey, root, jobs: 2 });
  return { exitCode: r.exitCode, findings: r.report.findings.map(shape) };
}

function dpkgVerifyPaths(): string[] {
  const out = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--log=/dev/null']);
  return out.trim().split('\n').filter(Boolean).map((l) => l.slice(l.indexOf(' /') + 1));
}

beforeEach(async () => {
  const work = tempDir('ds-short-walk-');
  root = newDpkgRoot(work);
  installDeb(root, buildDeb(work, { name: 'tool', version: '1.0', files: { '/opt/tool/bin/tool': 'tool 1\n', '/opt/tool/lib/x': 'x 1\n' } }));
  // Changed before the baseline: dpkg flags it; the walk vouches it is as recorded.
  fs.writeFileSync(join(root, 'opt/tool/lib/x'), 'x edited before the baseline\n');
  file = join(work, 'b.dsb');
  const { sealed } = await takeBaseline({ root, signingKey: keys.privateKey, packages: 'dpkg', jobs: 2, paths: ['/opt/tool'] });
  writeAtomic(file, sealed);
}, 60_000);

describe('a walk too short to pause', () => {
  it('still runs the package half at its end: a trojan is reported by the walk and by dpkg, the older edit preexisting', async () => {
    fs.writeFileSync(join(root, 'opt/tool/bin/tool'), 'trojan\n');
    const r = await scanNow();
    expect(r.findings.filter((l) => l.startsWith('dpkg ')).map((l) => l.split(' ')[3])).toEqual(dpkgVerifyPaths());
    expect(r.findings).toContain('dpkg changed ??5?????? /opt/tool/lib/x tool preexisting');
    expect(r.findings.filter((l) => l.startsWith('dpkg ') && l.includes('/opt/tool/bin/tool'))).toEqual(['dpkg changed ??5?????? /opt/tool/bin/tool tool unexplained']);
    expect(r.findings.filter((l) => l.startsWith('baseline ') && l.includes('/opt/tool/bin/tool'))).toHaveLength(1);
    expect(r.exitCode & 4).toBe(4);
  }, 60_000);

  it('runs it when the start path is gone (the walk hands on nothing): every file missing, none vouched for', async () => {
    fs.rmSync(join(root, 'opt/tool'), { recursive: true });
    const r = await scanNow();
    const dpkg = r.findings.filter((l) => l.startsWith('dpkg '));
    expect(dpkg.map((l) => l.split(' ')[3])).toEqual(dpkgVerifyPaths());
    expect(dpkg.length).toBeGreaterThan(0);
    expect(dpkg.filter((l) => l.endsWith(' preexisting'))).toEqual([]);
    expect(r.findings).toContain('baseline missing - /opt/tool/bin/tool tool unexplained');
    expect(r.exitCode).not.toBe(0);
  }, 60_000);
});
