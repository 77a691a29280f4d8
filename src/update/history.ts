/**
 * `show --history`: the chain of updates a verified baseline carries, newest
 * first, as far as its header can tell (each update copies its parent's chain).
 */
import type { KeyObject } from 'node:crypto';
import { readBaselineFile } from '../baseline/store.js';
import { openSealedReader } from '../baseline/sealed.js';
import { fileDigest } from '../baseline/entry-state.js';
import { escapeUnicode } from '../report/escape.js';

export function historyLines(file: string, publicKey: KeyObject): string[] {
  const bytes = readBaselineFile(file);
  const { header } = openSealedReader(bytes, publicKey);
  const steps = header.history ?? [];
  const lines = [`${fileDigest(bytes)}  created ${header.created}  signed by key ${header.keyId}  host ${escapeUnicode(header.host)}`];
  for (const step of [...steps].reverse()) {
    const accepted = step.accepted.map(([rule, n]) => `${escapeUnicode(rule)} ${n} path${n === 1 ? '' : 's'}`).join(', ');
    lines.push(`  updated ${step.at} by key ${step.keyId}: accepted ${accepted}; packages ${step.packages === 'reread' ? 're-read from the root' : 'kept'}; report sha256 ${step.report}`);
    lines.push(`${step.parent}  created ${step.parentCreated}`);
  }
  lines.push(steps.length ? '  (taken from a tree: the start of the chain)' : '  (taken from a tree: no updates)');
  return lines;
}
