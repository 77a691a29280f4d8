import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { defaultDpkgVerifier, FAIL_ON, REPORTERS, scan, SUMMARY_REPORTER, UsageError, type FailOn } from '../index.js';
import { defaultKeyFiles, outputTarget, parseMode, refuseInsideRoot, writeOutput } from './output.js';
import { parseJobs, parsePackageChoice, parseSeconds, publicKeyFrom, readRules, resolveRoot } from './common.js';
import { progressLine, wantColour } from './terminal.js';
import { checkUpdateTo } from './update-to-options.js';
import { updateFromScan, writeUpdated } from './update-to.js';

interface ScanOpts {
  pubkey?: string;
  root?: string;
  format: string;
  output?: string;
  jobs?: string;
  rules?: string;
  verify: boolean;
  packages: string;
  packageTimeout: string;
  mode?: string;
  failOn: string;
  explained: string;
  summary?: boolean;
  color: boolean;
  updateTo?: string;
  key?: string;
  accept?: string[];
}

/** `setExit` receives the scan's exit bits (main.ts is the only place that sets the process's). */
export function registerScan(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('scan')
    .description('verify a baseline, then compare the live host (or --root) against it')
    .argument('<baseline>', 'baseline file')
    .option('--pubkey <file>', 'Ed25519 public key the baseline must verify with (default: the default key directory\'s driftscan.pub)')
    .option('--root <dir>', 'scan a tree mounted at DIR instead of the live host')
    .option('--format <name>', `report format: ${Object.keys(REPORTERS).join(', ')}`, 'text')
    .option('-o, --output <file>', 'write the report to FILE instead of standard output')
    .option('--jobs <n>', 'hash worker threads (default: one per core)')
    .option('--rules <file>', 'use this rules file instead of the policy stored in the baseline')
    .option('--packages <manager>', 'also run the package manager\'s verification: auto, none, rpm, dpkg', 'auto')
    .option('--package-timeout <seconds>', 'stop rpm -Va / dpkg --verify after this long (reported, never clean)', '600')
    .option('--mode <octal>', 'permission bits of the -o report file (default 0600: it may hold configuration text)')
    .option('--fail-on <which>', 'findings that make the scan unclean: unexplained (by a package operation) or any', 'unexplained')
    .option('--explained <how>', 'text report: explained findings show, summary (one line per package operation) or hide', 'summary')
    .option('--summary', 'text: counts by status, triage and top-level directory, and the first findings of each')
    .option('--no-color', 'no colour even on a terminal (NO_COLOR set does the same)')
    .option('--no-verify', 'DANGEROUS: decode the baseline without checking its signature')
    .option('--update-to <file>', 'also write a new baseline accepting --accept\'s findings of this scan (with --key; see update)')
    .option('--key <file>', 'with --update-to: the private key that signs the new baseline')
    .option('--accept <rule...>', 'with --update-to: explained (default), all, or absolute path globs')
    .action(async (file: string, opts: ScanOpts) => {
      if (!REPORTERS[opts.format]) throw new UsageError(`unknown --format ${opts.format} (known: ${Object.keys(REPORTERS).join(', ')})`);
      if (opts.summary && !['text', 'rpm'].includes(opts.format)) throw new UsageError(`--summary is a text report: it does not go with --format ${opts.format}`);
      const reporter = opts.summary ? SUMMARY_REPORTER : REPORTERS[opts.format]!;
      if (!opts.verify && opts.pubkey) throw new UsageError('--no-verify and --pubkey conflict: a key given is a key to check');
      const inputs = { 'baseline file': file, 'public key': opts.pubkey, 'rules file': opts.rules, ...defaultKeyFiles() };
      const toStdout = opts.output === undefined || outputTarget(opts.output, inputs).kind === 'stdout';
      const mode = parseMode(opts.mode);
      // Usage errors first: a bad option is reported as such, not as a missing key.
      const packages = parsePackageChoice(opts.packages);
      const packageTimeoutMs = parseSeconds('--package-timeout', opts.packageTimeout);
      const jobs = parseJobs(opts.jobs);
      // DRIFTSCAN_DPKG_VERIFY with a typo is a usage error now, not a quiet fallback after the walk.
      defaultDpkgVerifier();
      if (!(FAIL_ON as readonly string[]).includes(opts.failOn)) throw new UsageError(`unknown --fail-on ${opts.failOn} (known: ${FAIL_ON.join(', ')})`);
      if (!['show', 'summary', 'hide'].includes(opts.explained)) throw new UsageError(`unknown --explained ${opts.explained} (known: show, summary, hide)`);
      const root = resolveRoot(opts.root);
      refuseInsideRoot(opts.output, root);
      const updateTo = checkUpdateTo(opts, inputs, mode, root);
      if (!opts.verify) process.stderr.write('driftscan: WARNING: --no-verify: the baseline\'s signature is NOT checked\n');
      const publicKey = opts.verify ? publicKeyFrom(opts.pubkey) : undefined;
      const policy = opts.rules ? readRules(opts.rules) : undefined;
      const progress = progressLine('scan');
      const result = await scan({
        baselineFile: file, publicKey, skipVerify: !opts.verify, root, policy, jobs, progress: progress.update,
        progressTotals: progress.shown ? progress.setTotals : undefined,
        packages, packageTimeoutMs, failOn: opts.failOn as FailOn,
      });
      result.report.explained = opts.explained as 'show' | 'summary' | 'hide';
      result.report.colour = wantColour(opts.color, toStdout);
      result.report.time = new Date().toISOString();
      progress.done();
      // The update is decided before either file is written; a refusal still leaves the report written.
      let updated: Awaited<ReturnType<typeof updateFromScan>>;
      let refusal: unknown;
      if (updateTo) await updateFromScan({ ...updateTo, baselineFile: file, publicKey: publicKey!, jobs }, result.report).then((u) => (updated = u), (e) => (refusal = e));
      if (updateTo && !refusal) await writeUpdated(updateTo, updated);
      if (toStdout) {
        reporter(result.report, process.stdout);
      } else {
        // Collected whole, then written in one go: a report is replaced atomically or not at all.
        const chunks: Buffer[] = [];
        const sink = new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
        });
        reporter(result.report, sink);
        await writeOutput(opts.output!, inputs, Buffer.concat(chunks), mode);
      }
      if (refusal) throw refusal;
      setExit(result.exitCode);
    });
}

