import type { Command } from 'commander';
import { diff, FAIL_ON, REPORTERS, UsageError, type FailOn } from '../index.js';
import { publicKeyFrom, readRulesText } from './common.js';

interface DiffOpts {
  pubkey?: string;
  format: string;
  rules?: string;
  failOn: string;
  explained: string;
}

/** `setExit` receives the exit bits, as for scan. */
export function registerDiff(program: Command, setExit: (code: number) => void): void {
  program
    .command('diff')
    .description('compare two signed baselines (no filesystem is read): findings as scan reports them')
    .argument('<old>', 'the earlier baseline (golden image N-1)')
    .argument('<new>', 'the later baseline (image N, or another host)')
    .option('--pubkey <file>', 'public key both must verify with (default: the default key directory\'s driftscan.pub)')
    .option('--format <name>', `report format: ${Object.keys(REPORTERS).join(', ')}`, 'text')
    .option('--rules <file>', 'rules file whose ignore-diff lines mask expected differences (ignore-diff host-identity)')
    .option('--fail-on <which>', 'findings that make the result unclean: unexplained or any', 'unexplained')
    .option('--explained <how>', 'text report: explained findings show, summary or hide', 'summary')
    .action((oldFile: string, newFile: string, opts: DiffOpts) => {
      const reporter = REPORTERS[opts.format];
      if (!reporter) throw new UsageError(`unknown --format ${opts.format} (known: ${Object.keys(REPORTERS).join(', ')})`);
      if (!(FAIL_ON as readonly string[]).includes(opts.failOn)) throw new UsageError(`unknown --fail-on ${opts.failOn} (known: ${FAIL_ON.join(', ')})`);
      if (!['show', 'summary', 'hide'].includes(opts.explained)) throw new UsageError(`unknown --explained ${opts.explained} (known: show, summary, hide)`);
      // Only its ignore-diff lines matter here (an unknown rule name: exit 22); the walk rules are the baselines' own.
      const rules = opts.rules ? { text: readRulesText(opts.rules), name: opts.rules } : undefined;
      const result = diff({ oldFile, newFile, publicKey: publicKeyFrom(opts.pubkey), rules, failOn: opts.failOn as FailOn });
      result.report.explained = opts.explained as 'show' | 'summary' | 'hide';
      reporter(result.report, process.stdout);
      setExit(result.exitCode);
    });
}
