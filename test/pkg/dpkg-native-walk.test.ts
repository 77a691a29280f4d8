/**
 * driftscan's own dpkg verify checks what does not depend on the walk while
 * the walk runs, and the files the walk reads once it has finished. On a root
 * built and changed with the real dpkg, its lines are the same whether the
 * walk's digests arrive before it starts, while it runs, or not at all, and
 * they are the real `dpkg --verify`'s. The walk is played here by the scan's
 * own hook (walkMd5), fed the sha256 of each recorded file as it is now.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPackageData } from '../../src/pkg/index.js';
import { verifyDpkgNative } from '../../src/pkg/dpkg-native.js';
import { walkMd5 } from '../../src/pkg/md5-record.js';
import { buildDeb, installDeb, newDpkgRoot, rawOutput } from './build-packages.js';
import { tempDir } from '../helpers/tree.js';
import type { PackageData } from '../../src/types.js';

const ADMIN = '/var/lib/dpkg';
let root: string;
/** What a baseline of /usr recorded: md5 and sha256 of each regular file, before the changes. */
let recorded: NonNullable<PackageData['contentMd5']>;

const digest = (algo: string, file: string) => createHash(algo).update(fs.readFileSync(file)).digest('hex');

function regularFiles(dir: string, rel: string, out: string[]): string[] {
  for (const e of fs.readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (e.isDirectory()) regularFiles(dir, `${rel}/${e.name}`, out);
    else if (e.isFile()) out.push(`${rel}/${e.name}`);
  }
  return out;
}

/** The scan's hook, with the walk of /usr made now: every file at once, or one per turn of the event loop. */
async function walkNow(source: ReturnType<typeof walkMd5>, paced: boolean): Promise<void> {
  for (const p of Object.keys(recorded)) {
    if (paced) await nextTurn();
    if (fs.lstatSync(join(root, p), { throwIfNoEntry: false })?.isFile()) source.extraDigests!.take(p, { sha256: digest('sha256', join(root, p)) });
  }
  source.source!.walked();
}

beforeAll(() => {
  const work = tempDir('ds-dpkg-native-walk-');
  root = newDpkgRoot(work);
  fs.mkdirSync(join(root, 'usr/bin'), { recursive: true });
  fs.symlinkSync('usr/bin', join(root, 'bin'));
  const files: Record<string, string> = {
    '/usr/bin/app': 'app\n', '/usr/bin/changed': 'v1\n', '/bin/merged': 'through /bin\n', '/bin/kept': 'kept\n', '/usr/share/app/gone': 'g\n',
    '/usr/share/app/as-link': 'same\n', '/usr/share/app/copy': 'same\n', '/usr/share/app/sub/x': 'x\n',
    '/usr/share/app/dangling': 'd\n', '/usr/share/app/excluded': 'x1\n', '/etc/app.conf': 'a=1\n', '/etc/app-data': 'data\n', '/etc/app-edited': 'e\n',
  };
  installDeb(root, buildDeb(work, { name: 'app', version: '1.0', files, conffiles: ['/etc/app.conf'] }));
  installDeb(root, buildDeb(work, { name: 'other', version: '1.0', files: { '/usr/share/app/other': 'o\n', '/usr/bin/other': 'o\n' } }));
  recorded = {};
  for (const p of regularFiles(root, '/usr', [])) recorded[p] = { md5: digest('md5', join(root, p)), sha256: digest('sha256', join(root, p)) };
  // Files the policy left out, beside ones it walks: not recorded, so read by the verify itself.
  delete recorded['/usr/share/app/excluded'];
  delete recorded['/usr/share/app/other'];

  const at = (p: string) => join(root, p);
  fs.writeFileSync(at('usr/bin/changed'), 'v2\n');
  fs.writeFileSync(at('usr/bin/merged'), 'changed through /bin\n');
  fs.rmSync(at('usr/share/app/gone'));
  fs.rmSync(at('usr/share/app/as-link'));
  fs.symlinkSync('copy', at('usr/share/app/as-link'));
  fs.rmSync(at('usr/share/app/dangling'));
  fs.symlinkSync('nowhere', at('usr/share/app/dangling'));
  fs.rmSync(at('usr/share/app/sub'), { recursive: true });
  fs.writeFileSync(at('etc/app.conf'), 'a=2\n');
  fs.writeFileSync(at('etc/app-edited'), 'E\n');
  fs.writeFileSync(at('usr/share/app/excluded'), 'x2\n');
  fs.rmSync(at('usr/bin/other'));
}, 60_000);

describe('the native dpkg verify beside the walk', () => {
  it('gives dpkg\'s lines, the same whether the walk ends before, during or never', async () => {
    const owners = await readPackageData(root, 'dpkg');
    const none = await verifyDpkgNative(root, ADMIN, owners);

    const before = walkMd5(recorded);
    await walkNow(before, false);
    const walkedFirst = await verifyDpkgNative(root, ADMIN, owners, before.source);

    const during = walkMd5(recorded);
    // Which checks were made while the walk ran, and which waited for it.
    let walkEnded = false;
    void during.source!.ready!.then(() => (walkEnded = true));
    const answered: string[] = [];
    const coveredAsked: boolean[] = [];
    const source = {
      ...during.source!,
      known: (p: string) => {
        const m = during.source!.known(p);
        if (m) answered.push(`${p}${walkEnded ? '' : ' before the walk ended'}`);
        return m;
      },
      covers: (p: string) => (coveredAsked.push(walkEnded), during.source!.covers!(p)),
    };
    const verifying = verifyDpkgNative(root, ADMIN, owners, source);
    await walkNow(during, true);
    const walkedDuring = await verifying;

    const real = rawOutput('/usr/bin/dpkg', ['--verify', `--root=${root}`, `--admindir=${root}${ADMIN}`, '--log=/dev/null']).split('\n').filter((l) => l !== '');
    expect(real.sort()).toEqual([
      '??5?????? c /etc/app.conf', '??5??????   /bin/merged', '??5??????   /etc/app-edited', '??5??????   /usr/bin/changed',
      '?M.??????   /usr/share/app/as-link', '??5??????   /usr/share/app/excluded', '?M???????   /usr/share/app/dangling', 'missing     /usr/bin/other',
      'missing     /usr/share/app/gone', 'missing     /usr/share/app/sub', 'missing     /usr/share/app/sub/x',
    ].sort());
    expect([...none.lines].sort()).toEqual(real);
    // Line for line, in the same order, and the same findings.
    expect(walkedFirst).toEqual(none);
    expect(walkedDuring).toEqual(none);
    // The unchanged files were answered from the walk (/bin/kept through the /bin link, copy for as-link too), not read again.
    // The first pass ran beside the walk; the walk's answers were taken once it had ended.
    expect(coveredAsked.length).toBeGreaterThan(0);
    expect(coveredAsked.every((ended) => !ended)).toBe(true);
    expect(answered.sort()).toEqual(['/usr/bin/app', '/usr/bin/kept', '/usr/share/app/copy', '/usr/share/app/copy']);
  });
});
