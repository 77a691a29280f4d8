/**
 * Attack: rewrite a byte of a verified baseline while its entries are read,
 * where the cursor reads one entry twice: an entry that runs past the bytes
 * read so far is read again from its start, and one longer than the 1 MiB
 * chunk makes the chunk double. Whichever read the byte changes before (the
 * verify pass is done), for good or only for that one read (changed back
 * before the next: bytes decoded from one read and checked from another
 * would pass), the entries given out are the verified ones or the read ends
 * in a BaselineFormatError (exit 18); an unchanged file reads whole.
 */
import { describe, expect, it } from 'vitest';
import { keys, treePolicy } from '../helpers/lib.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { openSource } from '../../src/baseline/reader.js';
import type { ByteSource } from '../../src/baseline/source.js';
import { BaselineFormatError } from '../../src/errors.js';
import type { Entry } from '../../src/types.js';

/** A file that can change between reads (as a file descriptor can): `before(n)` runs ahead of the n-th read. */
class ChangingFile implements ByteSource {
  readonly stable = false;
  reads = 0;
  before?: (n: number) => void;
  constructor(readonly bytes: Buffer) {}
  get size(): number {
    return this.bytes.length;
  }
  read(pos: number, length: number): Buffer {
    this.before?.(++this.reads);
    return Buffer.from(this.bytes.subarray(pos, pos + length));
  }
}

function entriesOf(src: ChangingFile, afterVerify?: (src: ChangingFile) => void): Entry[] {
  const reader = openSource(src, keys.publicKey, false);
  afterVerify?.(src);
  const out: Entry[] = [];
  reader.forEachEntry((e) => out.push(e));
  return out;
}

describe('a byte rewritten around an entry the cursor reads twice', () => {
  it('gives the verified entries or exit 18, never others', async () => {
    const root = makeTree(tempDir(), { 'srv/a': 'a' });
    const baseline = await buildBaseline({
      root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 1,
    });
    // ~1.4 MB of short entries, one of 1.5 MB (past the chunk, starting inside the second one), more short ones.
    const entry = (name: string, reason: string): Entry => ({ path: `/zz/${name}`, kind: 'file', attrs: {}, untested: { sha256: reason } });
    for (let i = 0; i < 2000; i++) baseline.entries.push(entry(`f${String(i).padStart(4, '0')}`, 'r'.repeat(700)));
    baseline.entries.push(entry('long', 'L'.repeat(1_500_000)));
    for (let i = 0; i < 100; i++) baseline.entries.push(entry(`m${String(i).padStart(3, '0')}`, 'r'.repeat(700)));
    const file = seal(baseline, keys.privateKey);
    const verified = JSON.stringify(entriesOf(new ChangingFile(Buffer.from(file))));
    expect(JSON.parse(verified)).toHaveLength(baseline.entries.length);

    const long = file.indexOf('L'.repeat(64));
    const targets = [long - 40, long, long + 750_000, long + 1_499_999, long + 1_500_010, file.length - 500];
    let refused = 0;
    for (const off of targets) {
      for (const [read, back] of [1, 2, 3, 4, 5, 6].flatMap((r) => [[r, Infinity], [r, r + 1]])) {
        const src = new ChangingFile(Buffer.from(file));
        let err: unknown;
        let got = '';
        try {
          got = JSON.stringify(entriesOf(src, (s) => {
            const start = s.reads;
            s.before = (n) => {
              if (n - start === read || n - start === back) s.bytes[off]! ^= 0x01;
            };
          }));
        } catch (e) {
          err = e;
        }
        if (err) {
          expect(err, `offset ${off}, read ${read}`).toBeInstanceOf(BaselineFormatError);
          refused++;
        } else {
          expect(got === verified, `offset ${off} changed before read ${read}, back before ${back}: other entries given out`).toBe(true);
        }
      }
    }
    // A change to bytes not yet read is always seen.
    expect(refused).toBeGreaterThanOrEqual(targets.length);
  }, 120_000);
});
