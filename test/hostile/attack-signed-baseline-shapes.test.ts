/**
 * Baselines signed with the right key but shaped as driftscan never writes
 * them (a modified driftscan, a bug in a future one): entries out of path
 * order or twice, a frame whose entries-end points into the header or at
 * the trailer. The streamed reader must refuse each (exit 18, one line),
 * never mis-merge them with the walk into a wrong "clean". And names with
 * bytes on either side of '/' (0x01..0x2e, 0xff) are walked in the order the
 * baseline is written: the tree scans clean and a change among them is found.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, makeTree, tempDir } from '../helpers/tree.js';
import { keyedCli, type KeyedCli } from '../helpers/cli.js';
import { loadBaseline } from '../../src/baseline/load.js';
import { loadPrivateKey, loadPublicKey } from '../../src/baseline/keys.js';
import { seal } from '../../src/baseline/sealed.js';
import { SIGNED_LABEL, SIGNATURE_BYTES, TAIL_BYTES } from '../../src/baseline/format.js';
import type { Baseline } from '../../src/types.js';

let cli: KeyedCli;

beforeAll(() => {
  cli = keyedCli();
});

function smallTree(): string {
  return makeTree(tempDir(), { 'etc/a': 'a', 'etc/b': 'b', 'etc/c': 'c', 'srv/x': 'x' });
}

/** A CLI baseline of root, decoded, changed by `edit`, and signed again with the same key. */
function resealed(root: string, edit: (b: Baseline) => void): string {
  const taken = cli.baseline(root);
  expect(taken.code).toBe(0);
  const b = loadBaseline(taken.out, loadPublicKey(cli.pub));
  edit(b);
  const file = path.join(cli.work, `forged-${Math.random().toString(36).slice(2)}.dsb`);
  fs.writeFileSync(file, seal(b, loadPrivateKey(cli.key)));
  return file;
}

/** The file with its entries-end offset set to `end` and signed again (its lengths otherwise intact). */
function withEnd(file: string, end: (bodyEnd: number) => number): string {
  const bytes = fs.readFileSync(file);
  const signedEnd = bytes.length - SIGNATURE_BYTES;
  const bodyEnd = signedEnd - TAIL_BYTES;
  const out = Buffer.from(bytes.subarray(0, signedEnd));
  out.writeBigUInt64BE(BigInt(end(bodyEnd)), bodyEnd + 8);
  const digest = createHash('sha512').update(out).digest();
  const signature = sign(null, Buffer.concat([SIGNED_LABEL, digest]), loadPrivateKey(cli.key));
  const forged = `${file}.end`;
  fs.writeFileSync(forged, Buffer.concat([out, signature]));
  return forged;
}

function refused(file: string, root: string, why: RegExp): void {
  const r = cli.scan(file, root);
  expect(r.stderr).toMatch(why);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(18);
}

describe('a validly signed baseline driftscan would not write', () => {
  it('entries out of path order: refused, not compared', () => {
    const root = smallTree();
    const file = resealed(root, (b) => {
      const i = b.entries.findIndex((e) => e.path === '/etc/a');
      const j = b.entries.findIndex((e) => e.path === '/etc/c');
      [b.entries[i], b.entries[j]] = [b.entries[j]!, b.entries[i]!];
    });
    refused(file, root, /entries are not sorted/);
  });

  it('an entry twice (a trojan\'s digest beside the real one): refused', () => {
    const root = smallTree();
    const file = resealed(root, (b) => {
      const i = b.entries.findIndex((e) => e.path === '/etc/b');
      b.entries.splice(i, 0, { ...b.entries[i]!, attrs: { ...b.entries[i]!.attrs } });
    });
    refused(file, root, /entries are not sorted/);
  });

  it('an entries-end offset inside the header, at the trailer or on the last byte: refused', () => {
    const root = smallTree();
    const file = resealed(root, () => undefined);
    expect(cli.scan(file, root).code).toBe(0);
    refused(withEnd(file, () => 16), root, /^driftscan: .*baseline/);
    refused(withEnd(file, () => 20), root, /^driftscan: .*baseline/);
    refused(withEnd(file, (bodyEnd) => bodyEnd - 1), root, /^driftscan: .*baseline/);
    refused(withEnd(file, (bodyEnd) => bodyEnd), root, /entries end outside its body/);
    refused(withEnd(file, () => 2 ** 53 + 1), root, /entries end outside its body/);
  });
});

describe('names with bytes around \'/\' (0x01-0x2e, 0xff) beside a directory of the same stem', () => {
  const stems = ['a', 'a\\x01', 'a\\x09', 'a\\x1f', 'a ', 'a!', 'a-', 'a.', 'a.b', 'a0', 'a\\xff', 'a\\xff\\xfe'];

  function tree(): string {
    const spec: Record<string, string | { dir: true }> = { 'usr/bin/true': 'true' };
    // Each stem both as a directory with children and, one level down, as files: the walk must interleave them.
    for (const s of stems) {
      spec[`etc/top/${s}/x`] = `x in ${s}`;
      spec[`etc/top/${s}/x\\x01`] = 'one';
      spec[`etc/top/${s}/x.y`] = 'dot';
      spec[`etc/top/${s}/x/`.slice(0, -1) + '\\xff'] = 'ff';
      spec[`etc/top/f/${s}`] = `file ${s}`;
    }
    return makeTree(tempDir(), spec);
  }

  it('scan clean, and one changed file among them is the one finding', () => {
    const root = tree();
    const taken = cli.baseline(root);
    expect(taken.stderr).toMatch(/^driftscan: wrote .*: \d+ entries\n$/);
    expect(taken.code).toBe(0);
    const clean = cli.scan(taken.out, root, ['--format', 'json']);
    expect(JSON.parse(clean.stdout).findings).toEqual([]);
    expect(clean.code).toBe(0);
    fs.writeFileSync(at(root, 'etc/top/a!/x.y'), 'DOT');
    const changed = cli.scan(taken.out, root, ['--format', 'json']);
    const findings = JSON.parse(changed.stdout).findings as Array<{ path: string; status: string }>;
    expect(findings.map((f) => [f.status, f.path])).toEqual([['changed', '/etc/top/a!/x.y']]);
    expect(changed.code).not.toBe(0);
  });
});
