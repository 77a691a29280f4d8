/**
 * Beyond a same-key rewrite (attack-baseline-rewritten-mid-scan): the file
 * the scan holds open is cut short, grown, or has its entries overwritten
 * with bytes that do not decode (a huge msgpack length) while the walk is
 * under way. Each ends the scan with a BaselineFormatError (exit 18), never
 * a report, a hang or a crash of the walk's workers.
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

async function bigBaseline(): Promise<{ root: string; file: string }> {
  const root = tempDir();
  for (let d = 0; d < 30; d++) {
    const dir = path.join(root, 'srv', `d${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(dir, `f${f}`), `${d}/${f}`);
  }
  const file = path.join(tempDir(), 'b.dsb');
  const opts = { root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 2 };
  writeAtomic(file, seal(await buildBaseline(opts), keys.privateKey));
  expect(fs.statSync(file).size).toBeGreaterThan(3 << 20);
  return { root, file };
}

/** Scans with `tamper` applied to the open file once the walk has begun; the error it ends with. */
async function scanTampered(tamper: (file: string) => void): Promise<Error | undefined> {
  const { root, file } = await bigBaseline();
  let done = false;
  const progress = () => {
    if (done) return;
    done = true;
    tamper(file);
  };
  const err = await scan({ baselineFile: file, publicKey: keys.publicKey, root, jobs: 2, progress }).then(() => undefined, (e: Error) => e);
  expect(done).toBe(true);
  return err;
}

describe('a baseline changed under the scan other than by a same-size rewrite', () => {
  it('cut to half its length: refused', async () => {
    const err = await scanTampered((file) => fs.truncateSync(file, fs.statSync(file).size >> 1));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err!.message).toMatch(/^baseline changed during the scan/);
  });

  it('grown by appended bytes: the verified prefix is still read, and what was verified scans as before', async () => {
    const err = await scanTampered((file) => fs.appendFileSync(file, Buffer.alloc(4 << 20, 0xc0)));
    expect(err).toBeUndefined();
  });

  it('its later entries overwritten with a msgpack array of 4 billion elements: refused, no hang', async () => {
    const err = await scanTampered((file) => {
      const size = fs.statSync(file).size;
      const fd = fs.openSync(file, 'r+');
      const junk = Buffer.alloc(1 << 20, 0xdd);
      for (let at = 2 << 20; at + junk.length < size - 1024; at += junk.length) fs.writeSync(fd, junk, 0, junk.length, at);
      fs.closeSync(fd);
    });
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err!.message).toMatch(/^baseline (changed during the scan|body cannot be decoded|entry \d+ is malformed)/);
  });
});
