import path from 'node:path';
import { UsageError } from '../index.js';
import { outputTarget, refuseInsideRoot } from './output.js';
import type { UpdateTo } from './update-to.js';

/** scan's --update-to, --key and --accept, checked before the walk like every other option. */
export function checkUpdateTo(
  opts: { updateTo?: string; key?: string; accept?: string[]; verify: boolean; output?: string },
  scanInputs: Record<string, string | undefined>,
  mode: number,
  root: string,
): UpdateTo | undefined {
  if (opts.updateTo === undefined) {
    if (opts.key !== undefined || opts.accept !== undefined) throw new UsageError('--key and --accept go with --update-to');
    return undefined;
  }
  if (!opts.key) throw new UsageError('--update-to needs --key, the private key that signs the new baseline');
  if (!opts.verify) throw new UsageError('--update-to and --no-verify conflict: an update starts from a verified baseline');
  if (opts.output !== undefined && path.resolve(opts.output) === path.resolve(opts.updateTo)) {
    throw new UsageError(`--update-to ${opts.updateTo} is also -o: the report and the new baseline go side by side, in two files`);
  }
  const inputs = { ...scanInputs, 'signing key': opts.key, report: opts.output };
  if (outputTarget(opts.updateTo, inputs).kind !== 'file') throw new UsageError(`--update-to ${opts.updateTo}: a new baseline is written to a file`);
  refuseInsideRoot(opts.updateTo, root);
  if (opts.accept?.some((a) => a === '')) throw new UsageError('--accept is empty: give explained, all or a path glob');
  return { output: opts.updateTo, key: opts.key, accept: opts.accept ?? ['explained'], mode, inputs };
}
