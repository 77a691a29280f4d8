/**
 * driftscan's own dpkg verify resolves packaged paths while the walk runs,
 * and checks the files the walk reads once it has finished. A packaged
 * directory swapped for a link out of the root in between (after the first
 * pass resolved it, before the walk reached it) must not lead the second pass
 * out of the root: its files are resolved again, inside the root, where the
 * link's target does not exist. Outside the root, a pristine copy of the
 * package's files waits: followed there, they would pass (or fail to open).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NativeChecks } from '../../src/pkg/dpkg-native-checks.js';
import { planDpkgVerify } from '../../src/pkg/dpkg-verify-plan.js';
import { walkMd5 } from '../../src/pkg/md5-record.js';
import { buildDeb, installDeb, newDpkgRoot } from '../pkg/build-packages.js';
import { tempDir } from '../helpers/tree.js';

const ADMIN = '/var/lib/dpkg';
const digest = (algo: string, text: string) => createHash(algo).update(text).digest('hex');

describe('a packaged directory swapped for a link out of the root during the walk', () => {
  it('is resolved again inside the root after the walk, never followed to the host', async () => {
    const work = tempDir('ds-verify-swap-');
    const root = newDpkgRoot(work);
    const files = { '/usr/share/pk/a-not-walked': 'a\n', '/usr/share/pk/data': 'pristine\n', '/usr/share/pk/sub/more': 'more\n', '/usr/bin/pk': 'pk\n' };
    installDeb(root, buildDeb(work, { name: 'pk', version: '1.0', files }));
    // The host side: the same files, as the package shipped them, with their times noted.
    const outside = tempDir('ds-verify-swap-host-');
    fs.mkdirSync(join(outside, 'sub'));
    fs.writeFileSync(join(outside, 'data'), 'pristine\n');
    fs.writeFileSync(join(outside, 'sub/more'), 'more\n');
    const atimes = () => ['data', 'sub/more'].map((p) => fs.statSync(join(outside, p)).atimeMs);
    const before = atimes();

    // The policy leaves a-not-walked out: it is checked in the first pass, which so resolves /usr/share/pk then.
    const walkedFiles = Object.entries(files).filter(([p]) => !p.endsWith('a-not-walked'));
    const recorded = Object.fromEntries(walkedFiles.map(([p, text]) => [p, { md5: digest('md5', text), sha256: digest('sha256', text) }]));
    const walk = walkMd5(recorded);
    const plan = await planDpkgVerify(root, ADMIN);
    const at = (p: string) => plan.paths.indexOf(p);
    expect(at('/usr/share/pk/a-not-walked')).toBeGreaterThanOrEqual(0);
    expect(at('/usr/share/pk/a-not-walked')).toBeLessThan(at('/usr/share/pk/data'));
    const checks = new NativeChecks(root, plan, walk.source);
    await checks.beforeWalkEnds();

    // The swap, then the walk: it meets a link at /usr/share/pk and reads only /usr/bin/pk.
    fs.renameSync(join(root, 'usr/share/pk'), join(work, 'moved-away'));
    fs.symlinkSync(outside, join(root, 'usr/share/pk'));
    walk.extraDigests!.take('/usr/bin/pk', { sha256: digest('sha256', 'pk\n') });
    walk.source!.walked();
    await checks.afterWalk();

    const byPath = (c: NativeChecks) => Object.fromEntries([...c.outcomes].map(([i, o]) => [plan.paths[i]!, o]));
    // Inside the root the link leads to ROOT/<outside>, which does not exist: dpkg's `missing`.
    expect(byPath(checks)).toEqual({ '/usr/share/pk/data': { missing: '' }, '/usr/share/pk/sub': { missing: '' }, '/usr/share/pk/sub/more': { missing: '' } });
    // What a check made only now, with no walk, says of them (a-not-walked, checked before the swap, passed then).
    const now = new NativeChecks(root, plan);
    await now.beforeWalkEnds();
    await now.afterWalk();
    const { '/usr/share/pk/a-not-walked': early, ...rest } = byPath(now);
    expect(early).toEqual({ missing: '' });
    expect(byPath(checks)).toEqual(rest);
    expect(atimes()).toEqual(before);
  });
});
