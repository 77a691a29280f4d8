/**
 * Attack (the tired operator, library use): a scan starts its hash workers
 * before the baseline is verified (pool.ts startHashWorkers), so a scan that
 * fails before its walk (a baseline that does not exist, is not signed by
 * the key, a root that is not a directory) has threads running that no pool
 * took. A program that calls scan() again and again on bad input must not
 * pile up threads, and must exit on its own with nothing left running.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keys, treePolicy } from '../helpers/lib.js';
import { makeTree, tempDir } from '../helpers/tree.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';

const INDEX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/index.js');

/** Calls scan() 12 times per bad input, then waits (polling, no fixed time) until the threads are back to where they started. */
const SCRIPT = `
import fs from 'node:fs';
import { createPublicKey } from 'node:crypto';
const [index, good, wrongPub, goodPub, root, notDir] = process.argv.slice(2);
const { scan } = await import(index);
const threads = () => fs.readdirSync('/proc/self/task').length;
const before = threads();
const tries = [
  { baselineFile: good + '.absent', publicKey: createPublicKey(fs.readFileSync(goodPub)), root },
  { baselineFile: good, publicKey: createPublicKey(fs.readFileSync(wrongPub)), root },
  { baselineFile: good, publicKey: createPublicKey(fs.readFileSync(goodPub)), root: notDir },
];
const errors = new Set();
for (const t of tries) for (let i = 0; i < 12; i++) {
  try { await scan({ ...t, jobs: 2 }); errors.add('no error'); } catch (e) { errors.add(e.constructor.name); }
}
while (threads() > before) await new Promise((r) => setTimeout(r, 20));
console.log(JSON.stringify({ errors: [...errors].sort(), back: threads() <= before }));
`;

describe('hash workers started before the baseline is verified', () => {
  it('are ended when the scan fails before its walk: no threads pile up, the process exits by itself', async () => {
    const dir = tempDir();
    const root = makeTree(path.join(dir, 'root'), { 'srv/a': 'a\n' });
    const good = path.join(dir, 'b.dsb');
    fs.writeFileSync(good, seal(await buildBaseline({ root, policy: treePolicy(), signingKey: keys.privateKey, created: new Date(1_700_000_000_000), host: 'h', jobs: 1 }), keys.privateKey));
    const goodPub = path.join(dir, 'good.pub');
    fs.writeFileSync(goodPub, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    const wrongPub = path.join(dir, 'wrong.pub');
    fs.writeFileSync(wrongPub, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const script = path.join(dir, 'lib-use.mjs');
    fs.writeFileSync(script, SCRIPT);
    const r = spawnSync(process.execPath, [script, INDEX, good, wrongPub, goodPub, root, path.join(root, 'srv/a')], { encoding: 'utf8', timeout: 60_000 });
    expect([r.status, r.signal, r.stderr]).toEqual([0, null, '']);
    const out = JSON.parse(r.stdout) as { errors: string[]; back: boolean };
    expect(out.errors).not.toContain('no error');
    expect(out.back).toBe(true);
  }, 90_000);
});
