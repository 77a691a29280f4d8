import type { Command } from 'commander';
import { DEFAULT_POLICY, describeReason, displayPath, startsEmptied, startsMissing } from '../index.js';
import { readRules, resolveRoot } from './common.js';

export function registerPolicy(program: Command): void {
  program
    .command('policy')
    .description('print the default policy, or check a rules file')
    .option('--check <file>', 'parse a rules file and report the first error with its line number')
    .option('--root <dir>', 'with --check: warn about includes that are not there under DIR (default /)')
    .action((opts: { check?: string; root?: string }) => {
      if (opts.check) {
        const p = readRules(opts.check);
        const root = resolveRoot(opts.root);
        // An include that is not there walks nothing: say so now, not after a baseline of nothing.
        for (const start of startsMissing(p, root)) {
          const under = root === '/' ? '' : ` under ${root}`;
          process.stderr.write(`driftscan: warning: ${start.line}: include ${displayPath(start.path)} ${describeReason(start.reason)}${under}\n`);
        }
        // A start whose subtree is all excluded records one directory, and scans clean forever.
        for (const start of startsEmptied(p)) {
          process.stderr.write(`driftscan: warning: ${start.line}: include ${displayPath(start.path)}: every path below it is excluded; only ${displayPath(start.path)} itself is recorded\n`);
        }
        process.stdout.write(`OK ${opts.check}: ${p.includes.length} include paths\n`);
        return;
      }
      process.stdout.write(DEFAULT_POLICY);
    });
}
