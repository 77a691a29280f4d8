/**
 * A scan's walk starts before its package half: the baseline's package data
 * is decoded, the package tool started and the walk's hooks bound once the
 * walk is ahead of the hashing (gather.ts), and what the walk handed on
 * before that is held and replayed (late-hooks.ts). On a root built and
 * changed with the real dpkg, the report is the same whether the package
 * half starts at the walk's first pause or after its last entry, and its
 * dpkg lines are the real `dpkg --verify`'s.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { streamSnapshot } from '../../src/snapshot/snapshot.js';
import { makeTree } from '../helpers/tree.js';
import { treePolicy } from '../helpers/lib.js';
import { takeBaseline } from '../../src/baseline/build.js';
import { writeAtomic } from '../../src/baseline/store.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';
import { keys } from '../helpers/lib.js';
import type { Finding } from '../../src/types.js';

let root: string;
let file: string;

/** Enough entries that the walk pauses a few times before the end (it does every 512). */
const SPREAD = 1600;

beforeAll(async () => {
  const work = tempDir('ds-package-start-');
  root = newDpkgRoot(work);
  fs.mkdirSync(join(root, 'etc'), { recursive: true });
  fs.writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  const early: Record<string, string> = { '/etc/aa.conf': 'a=1\n' };
  const late: Record<string, string> = {};
  for (let i = 0; i < SPREAD; i++) {
    const n = String(i).padStart(4, '0');
    early[`/usr/bin/a${n}`] = `early ${n}\n`;
    late[`/usr/share/zz/z${n}`] = `late ${n}\n`;
  }
  installDeb(root, buildDeb(work, { name: 'early', version: '1.0', files: early, conffiles: ['/etc/aa.conf'] }));
  installDeb(root, buildDeb(work, { name: 'late', version: '1.0', files: late }));
  // Unpackaged files among them, walked before and after the package half starts.
  fs.writeFileSync(join(root, 'usr/bin/a0003-local'), 'mine\n');
  fs.writeFileSync(join(root, 'usr/share/zz/z1500-local'), 'mine\n');
  // Changed before the baseline: dpkg flags them, the walk vouches they are as recorded (preexisting).
  fs.writeFileSync(join(root, 'usr/bin/a0000'), 'edited before the baseline\n');
  fs.writeFileSync(join(root, 'usr/share/zz/z1597'), 'edited before the baseline\n');
  file = join(work, 'b.dsb');
  const { sealed } = await takeBaseline({ root, signingKey: keys.privateKey, packages: 'dpkg', jobs: 2, paths: ['/usr', '/etc'] });
  writeAtomic(file, sealed);
  const at = (p: string) => join(root, p);
  // dpkg gives a packaged file its archive's whole-second mtime, and a time with 0 ns is compared by
  // the second (sameTime, for filesystems that keep seconds): an edit within that second, as on a
  // fast run, would show no T. Such an edit's mtime is put in the next second, as a later edit's.
  const edit = (p: string, text: string) => {
    const was = fs.statSync(at(p)).mtimeMs;
    fs.writeFileSync(at(p), text);
    if (Math.floor(fs.statSync(at(p)).mtimeMs / 1000) === Math.floor(was / 1000)) fs.utimesSync(at(p), new Date(), new Date(Math.floor(was / 1000) * 1000 + 1500));
  };
  // Early and late in walk order: packaged files changed and removed, a conffile edited, an unpackaged one changed.
  edit('usr/bin/a0001', 'trojan\n');
  fs.rmSync(at('usr/bin/a0002'));
  edit('etc/aa.conf', 'a=2\n');
  fs.writeFileSync(at('usr/bin/a0003-local'), 'changed\n');
  edit('usr/share/zz/z1599', 'trojan\n');
  fs.rmSync(at('usr/share/zz/z1598'));
  fs.writeFileSync(at('usr/share/zz/z1500-local'), 'changed\n');
}, 120_000);

function shape(f: Finding) {
  return [f.source, f.status, f.flags ?? '-', f.path, f.package ?? '-', f.triage ?? '-', f.outsidePolicy ? 'outside' : ''].join(' ');
}

async function scanWith(packagesAfterBytes: number | undefined) {
  const r = await scan({ baselineFile: file, publicKey: keys.publicKey, root, jobs: 2, packagesAfterBytes });
  return { exitCode: r.exitCode, findings: r.report.findings.map(shape), diagnostics: r.report.diagnostics };
}

describe('the package half started while the walk runs', () => {
  it('reports the same whether it starts at the first pause or after the walk, with dpkg\'s own lines', async () => {
    const first = await scanWith(0);
    const last = await scanWith(Number.MAX_SAFE_INTEGER);
    expect(first).toEqual(last);
    expect(first.findings.filter((l) => l.startsWith('baseline '))).toEqual([
      'baseline changed ..5....T. /etc/aa.conf early unexplained ',
      // The directories changed where files went (their mtimes).
      'baseline changed .......T. /usr/bin early unexplained ',
      'baseline changed S.5....T. /usr/bin/a0001 early unexplained ',
      'baseline missing - /usr/bin/a0002 early unexplained ',
      'baseline changed S.5....T. /usr/bin/a0003-local unowned unexplained ',
      'baseline changed .......T. /usr/share/zz late unexplained ',
      'baseline changed S.5....T. /usr/share/zz/z1500-local unowned unexplained ',
      'baseline missing - /usr/share/zz/z1598 late unexplained ',
      'baseline changed S.5....T. /usr/share/zz/z1599 late unexplained ',
    ]);
    const tool = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}/var/lib/dpkg`, '--log=/dev/null']);
    const toolPaths = tool.trim().split('\n').map((l) => l.slice(l.indexOf(' /') + 1));
    expect(first.findings.filter((l) => l.includes('preexisting'))).toEqual([
      'dpkg changed ??5?????? /usr/bin/a0000 early preexisting ',
      'dpkg changed ??5?????? /usr/share/zz/z1597 late preexisting ',
    ]);
    const ours = first.findings.filter((l) => l.startsWith('dpkg ')).map((l) => l.split(' ')[3]);
    expect(ours).toEqual(toolPaths);
    expect(first.exitCode).not.toBe(0);
  }, 120_000);
});

describe('the walk\'s interlude', () => {
  it('runs once, after so many entries when the walk never gets far ahead of the hashing (what waits on it is held)', async () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) spec[`srv/d${i % 10}/f${String(i).padStart(4, '0')}`] = 'tiny\n';
    const tree = makeTree(tempDir(), spec);
    let handed = 0;
    const at: number[] = [];
    await streamSnapshot({
      root: tree, policy: treePolicy(), jobs: 2,
      interlude: { afterBytes: Number.MAX_SAFE_INTEGER, afterEntries: 1000, run: () => void at.push(handed) },
    }, () => void handed++);
    expect(at).toHaveLength(1);
    // Checked where the walk pauses (every 512 entries); entries are handed on as their digests arrive.
    expect(at[0]!).toBeLessThanOrEqual(1536);
    expect(handed).toBeGreaterThan(3000);
  });
});
