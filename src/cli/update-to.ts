/**
 * `scan --update-to NEW --key FILE --accept explained`: scan and update in one
 * run (a systemd timer). The update reads the scan's own JSON report, so it is
 * held to the same rule as `update`: a path that changed between the scan's
 * walk and the update's is refused. The new baseline is written atomically
 * beside the report; nothing accepted means no new baseline, which is no error.
 */
import { Writable } from 'node:stream';
import { loadPrivateKey, REPORTERS, sourceDateEpoch, update, UpdateRefusedError, type Report, type Updated } from '../index.js';
import { writeOutput } from './output.js';
import { printRefusals } from './update.js';

export interface UpdateTo {
  output: string;
  key: string;
  accept: string[];
  mode: number;
  inputs: Record<string, string | undefined>;
}

function rendered(report: Report): string {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  REPORTERS.json!(report, sink);
  return Buffer.concat(chunks).toString('utf8');
}

/** The update half: returns what to write (undefined: nothing accepted), or throws the refusal after saying why. */
export async function updateFromScan(
  opts: UpdateTo & { baselineFile: string; publicKey: Parameters<typeof update>[0]['publicKey']; jobs?: number },
  report: Report,
): Promise<Updated | undefined> {
  try {
    return await update({
      baselineFile: opts.baselineFile, publicKey: opts.publicKey, signingKey: loadPrivateKey(opts.key),
      reportText: rendered(report), reportName: 'of this scan', accept: opts.accept, jobs: opts.jobs, created: sourceDateEpoch(),
    });
  } catch (err) {
    // Nothing to accept today (a scan with nothing explained): the timer's normal quiet day.
    if (err instanceof UpdateRefusedError && err.lines.length && err.lines.every((l) => l.endsWith('accepts nothing in this report'))) {
      process.stderr.write(`driftscan: --update-to: nothing accepted (${opts.accept.join(', ')}); no new baseline written\n`);
      return undefined;
    }
    printRefusals(err);
    throw err;
  }
}

export async function writeUpdated(opts: UpdateTo, updated: Updated | undefined): Promise<void> {
  if (!updated) return;
  await writeOutput(opts.output, opts.inputs, updated.sealed, opts.mode);
  const accepted = updated.step.accepted.map(([rule, n]) => `${rule}: ${n}`).join(', ');
  process.stderr.write(`driftscan: wrote ${opts.output}: ${updated.baseline.entries.length} entries; accepted ${accepted}; packages ${updated.step.packages === 'reread' ? 're-read' : 'kept'}\n`);
}
