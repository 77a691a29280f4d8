/**
 * A baseline is verified in one pass and its entries are read in a second,
 * a chunk at a time, as the walk goes (a baseline of ten million entries is
 * never held). Whoever can write the file may rewrite it in place between
 * the two, with another baseline signed by the same key (an older one, or one
 * taken after a trojan was planted). The entries compared must be the ones
 * verified: the second pass hashes what it reads, and a scan whose bytes
 * differ from the verified ones ends in an error, never in a report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tree.js';
import { keys, treePolicy } from '../helpers/lib.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { writeAtomic } from '../../src/baseline/store.js';
import { scan } from '../../src/scan/scan.js';
import { BaselineFormatError } from '../../src/errors.js';

/** Enough entries that the baseline's entries span several of the reader's 1 MiB chunks. */
function bigTree(): string {
  const root = tempDir();
  for (let d = 0; d < 30; d++) {
    const dir = path.join(root, 'srv', `d${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(dir, `f${f}`), `${d}/${f}`);
  }
  return root;
}

describe('a baseline rewritten in place while the scan reads its entries', () => {
  it('is refused with an error (exit 18): no report is made of entries that were not verified', async () => {
    const root = bigTree();
    const file = path.join(tempDir(), 'b.dsb');
    const opts = { root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 2 };
    writeAtomic(file, seal(await buildBaseline(opts), keys.privateKey));
    expect(fs.statSync(file).size).toBeGreaterThan(3 << 20);
    // A trojan in the last directory, and a valid baseline of the tree with it, signed by the same key.
    fs.writeFileSync(path.join(root, 'srv/d9/f999'), 'trojan');
    const forged = seal(await buildBaseline(opts), keys.privateKey);
    let swapped = false;
    const progress = () => {
      if (swapped) return;
      // In place: the same inode the scan holds open, other bytes.
      fs.writeFileSync(file, forged);
      swapped = true;
    };
    const err = await scan({ baselineFile: file, publicKey: keys.publicKey, root, jobs: 2, progress }).then(() => undefined, (e: Error) => e);
    expect(swapped).toBe(true);
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err!.message).toMatch(/^baseline changed during the scan/);
  });

  it('unchanged, the same file scans clean (the second pass is not a false alarm)', async () => {
    const root = bigTree();
    const file = path.join(tempDir(), 'b.dsb');
    const opts = { root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 2 };
    writeAtomic(file, seal(await buildBaseline(opts), keys.privateKey));
    const r = await scan({ baselineFile: file, publicKey: keys.publicKey, root, jobs: 2 });
    expect(r.report.findings).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.report.summary.entries).toBeGreaterThan(30000);
  });
});
