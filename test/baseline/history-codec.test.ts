/**
 * The header's update history: absent from a baseline taken from a tree (whose
 * bytes stay what they were before history existed), carried through a
 * seal/open round trip when present, and checked field by field on reading.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal, openSealed } from '../../src/baseline/sealed.js';
import { systemTree, tempDir } from '../helpers/tree.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { parsePolicy } from '../../src/policy/policy.js';
import type { Baseline, HistoryStep } from '../../src/types.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

async function taken(): Promise<Baseline> {
  const root = systemTree(tempDir('ds-history-'));
  return buildBaseline({ root, policy: parsePolicy('include /etc\ninclude /usr\n'), signingKey: privateKey, created: new Date(0), host: 'h' });
}

const STEP: HistoryStep = {
  parent: 'a'.repeat(64), parentCreated: '1970-01-01T00:00:00.000Z', keyId: 'b'.repeat(64), at: '1970-01-02T00:00:00.000Z',
  report: 'c'.repeat(64), accepted: [['explained', 3], ['/etc/**', 1]], packages: 'reread',
};

describe('baseline history in the header', () => {
  it('a baseline from a tree has none, and re-sealing what was read gives the same bytes', async () => {
    const b = await taken();
    const bytes = seal(b, privateKey);
    const back = openSealed(bytes, publicKey);
    expect('history' in back.header).toBe(false);
    expect(seal(back, privateKey).equals(bytes)).toBe(true);
  });

  it('a history round-trips, and adds bytes only when present', async () => {
    const b = await taken();
    const plain = seal(b, privateKey);
    const withHistory = seal({ ...b, header: { ...b.header, history: [STEP, { ...STEP, packages: 'kept', accepted: [] }] } }, privateKey);
    expect(withHistory.length).toBeGreaterThan(plain.length);
    expect(openSealed(withHistory, publicKey).header.history).toEqual([STEP, { ...STEP, packages: 'kept', accepted: [] }]);
  });

  it('a malformed history is a corrupt baseline (exit 18), not a crash when shown', async () => {
    const b = await taken();
    for (const bad of [{ ...STEP, parent: 5 }, { ...STEP, packages: 'maybe' }, { ...STEP, accepted: [['x']] }, 'step']) {
      const bytes = seal({ ...b, header: { ...b.header, history: [bad as unknown as HistoryStep] } }, privateKey);
      expect(() => openSealed(bytes, publicKey)).toThrow(expect.objectContaining({ exitCode: 18, message: 'baseline history is malformed' }));
    }
  });
});
