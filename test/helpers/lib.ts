/** Baseline and scan through the library API, with a throwaway key. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildBaseline } from '../../src/baseline/build.js';
import { seal } from '../../src/baseline/sealed.js';
import { writeAtomic } from '../../src/baseline/store.js';
import { parsePolicy, policyForPaths } from '../../src/policy/policy.js';
import { scan, type ScanResult } from '../../src/scan/scan.js';
import type { Baseline, Finding } from '../../src/types.js';
import { displayPath } from '../../src/paths.js';

export const keys = generateKeyPairSync('ed25519');

export function treePolicy(extra = '') {
  return parsePolicy(policyForPaths(['/']) + '\n' + extra, 'test policy');
}

export async function takeBaseline(root: string, file: string, extraRules = '', key: KeyObject = keys.privateKey): Promise<Baseline> {
  const baseline = await buildBaseline({
    root, policy: treePolicy(extraRules), signingKey: key, created: new Date(1_700_000_000_000), host: 'testhost', jobs: 2,
  });
  writeAtomic(file, seal(baseline, key));
  return baseline;
}

export async function scanTree(root: string, file: string): Promise<ScanResult> {
  return scan({ baselineFile: file, publicKey: keys.publicKey, root, jobs: 2 });
}

/** Findings as `status flags marker path extra` lines, the shape tests assert on. */
export function brief(findings: Finding[]): string[] {
  return findings.map((f) =>
    [f.status, f.flags ?? '-', f.marker?.trim() || '-', displayPath(f.path), ...f.extra].join(' '),
  );
}

export function baselineFile(dir: string): string {
  return path.join(fs.mkdtempSync(path.join(dir, 'bl-')), 'tree.dsb');
}
