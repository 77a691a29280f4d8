import fs from 'node:fs';
import type { Command } from 'commander';
import { INPUT_FLAGS, loadPrivateKey, openNoAtime, readInput, sourceDateEpoch, update, UpdateRefusedError, UsageError } from '../index.js';
import { parseJobs, publicKeyFrom } from './common.js';
import { defaultKeyFiles, outputTarget, parseMode, refuseInsideRoot, writeOutput } from './output.js';

interface UpdateOpts {
  report: string;
  key: string;
  pubkey?: string;
  output: string;
  accept: string[];
  jobs?: string;
  mode?: string;
}

/** A report larger than this is not one `scan --format json` wrote for a host. */
const REPORT_LIMIT = 1024 * 1024 * 1024;

/** The report's text (a pipe too); a read failure is refused like a wrong report. */
export function readReportFile(file: string): string {
  let fd: number | undefined;
  try {
    // O_NOATIME: a report kept inside the root it describes is evidence too.
    fd = openNoAtime(file, INPUT_FLAGS);
    const bytes = readInput(fd, REPORT_LIMIT);
    if (bytes.length > REPORT_LIMIT) throw new UpdateRefusedError(`report ${file} is larger than 1 GiB: not a scan report`);
    return bytes.toString('utf8');
  } catch (err) {
    if (err instanceof UpdateRefusedError) throw err;
    throw new UpdateRefusedError(`cannot read report ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Refusals say what, one line per path or rule, before the error line main prints. */
export function printRefusals(err: unknown): void {
  if (err instanceof UpdateRefusedError) for (const line of err.lines) process.stderr.write(`driftscan: refused: ${line}\n`);
}

export function registerUpdate(program: Command): void {
  program
    .command('update')
    .description('a new signed baseline that accepts the reviewed findings of a JSON scan report of BASELINE')
    .argument('<baseline>', 'the baseline the report was scanned against')
    .requiredOption('--report <file>', 'the JSON report (scan --format json) of BASELINE')
    .requiredOption('--key <file>', 'Ed25519 private key to sign the new baseline')
    .option('--pubkey <file>', 'public key BASELINE must verify with (default: the default key directory\'s driftscan.pub)')
    .requiredOption('-o, --output <file>', 'the new baseline')
    .option('--accept <rule...>', 'explained (what triage explained), all, or absolute path globs', ['explained'])
    .option('--jobs <n>', 'hash worker threads (default: one per core)')
    .option('--mode <octal>', 'permission bits of the new baseline (default 0600)')
    .action(async (file: string, opts: UpdateOpts) => {
      const inputs = { 'baseline file': file, report: opts.report, 'signing key': opts.key, 'public key': opts.pubkey, ...defaultKeyFiles() };
      if (outputTarget(opts.output, inputs).kind !== 'file') throw new UsageError(`-o ${opts.output}: a new baseline is written to a file`);
      const mode = parseMode(opts.mode);
      const jobs = parseJobs(opts.jobs);
      if (opts.accept.some((a) => a === '')) throw new UsageError('--accept is empty: give explained, all or a path glob');
      const created = sourceDateEpoch();
      const publicKey = publicKeyFrom(opts.pubkey);
      const signingKey = loadPrivateKey(opts.key);
      const reportText = readReportFile(opts.report);
      let result;
      try {
        result = await update({
          baselineFile: file, publicKey, signingKey, reportText, reportName: opts.report, accept: opts.accept, jobs, created,
          onWarning: (m) => process.stderr.write(`driftscan: warning: ${m}\n`),
        });
      } catch (err) {
        printRefusals(err);
        throw err;
      }
      // A mounted disk is evidence (as for baseline -o): known only once the report names its root.
      refuseInsideRoot(opts.output, result.root);
      await writeOutput(opts.output, inputs, result.sealed, mode);
      const accepted = result.step.accepted.map(([rule, n]) => `${rule}: ${n}`).join(', ');
      process.stderr.write(`driftscan: wrote ${opts.output}: ${result.baseline.entries.length} entries; accepted ${accepted}; packages ${result.step.packages === 'reread' ? 're-read' : 'kept'}\n`);
    });
}
