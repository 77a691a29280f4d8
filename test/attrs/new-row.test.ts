/**
 * One attribute, one row: a test-only table with a sha512 row (and nothing
 * else changed) records, encodes, decodes, compares, shows and drops it for
 * --fast. The hash worker gets the algorithm by name, so it needs no change.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildBaseline } from '../../src/baseline/build.js';
import { openSealed, seal } from '../../src/baseline/sealed.js';
import { compareEntries } from '../../src/compare/compare.js';
import { parsePolicy, policyForPaths, withFastMode, ATTR_SETS } from '../../src/policy/policy.js';
import { showLine } from '../../src/report/show.js';
import { ATTRIBUTES, attrByCode } from '../../src/attrs/registry.js';
import { tempDir } from '../helpers/tree.js';

vi.mock('../../src/attrs/table.js', async (importOriginal) => {
  const table = await importOriginal<typeof import('../../src/attrs/table.js')>();
  return { ...table, ATTRIBUTES: [...table.ATTRIBUTES, table.digestRow(20, 'sha512', 'SHA-512 of the content')] };
});

const sha512 = (s: string) => createHash('sha512').update(s).digest('hex');

describe('a sha512 row added to the table', () => {
  it('is in the registry under its own code', () => {
    expect(ATTRIBUTES.at(-1)!.name).toBe('sha512');
    expect(attrByCode(20)!.name).toBe('sha512');
  });

  it('is recorded, survives encode and decode, and a changed file shows it with rpm\'s 5', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const tree = tempDir();
    fs.mkdirSync(path.join(tree, 'etc'));
    fs.writeFileSync(path.join(tree, 'etc/motd'), 'hello\n');
    const policy = parsePolicy(policyForPaths(['/etc']), 'test');
    const before = openSealed(seal(await buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 }), privateKey), publicKey);
    const motd = before.entries.find((e) => e.path === '/etc/motd')!;
    expect(motd.attrs.sha512).toBe(sha512('hello\n'));
    expect(before.header.attrs).toContain('sha512');
    expect(showLine(motd)).toContain(`sha512=${sha512('hello\n')}`);

    fs.writeFileSync(path.join(tree, 'etc/motd'), 'HELLO\n');
    const after = await buildBaseline({ root: tree, policy, signingKey: privateKey, jobs: 1 });
    const [finding] = compareEntries(before.entries, after.entries).filter((f) => f.path === '/etc/motd');
    expect(finding!.deltas.find((d) => d.attr === 'sha512')).toEqual({ attr: 'sha512', old: sha512('hello\n'), new: sha512('HELLO\n') });
    expect(finding!.flags![2]).toBe('5');
  });

  it('is a secure digest: --fast leaves it out', () => {
    expect(ATTR_SETS.fast).not.toContain('sha512');
    expect(withFastMode('include /etc\n')).toBe('include /etc\n# --fast: xxh64 only\nattrs /** -sha256 -sha512\n');
  });
});
