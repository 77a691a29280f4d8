import type { Command } from 'commander';
import { ATTRIBUTES } from '../attrs/registry.js';
import { DEFAULT_POLICY } from '../policy/default.js';
import { ATTR_SETS } from '../policy/policy.js';
import { readRules } from './common.js';

export function registerPolicy(program: Command): void {
  program
    .command('policy')
    .description('print the default policy, or check a rules file')
    .option('--check <file>', 'parse a rules file and report the first error with its line number')
    .action((opts: { check?: string }) => {
      if (opts.check) {
        const p = readRules(opts.check);
        process.stdout.write(`OK ${opts.check}: ${p.includes.length} include paths\n`);
        return;
      }
      process.stdout.write(DEFAULT_POLICY);
    });
  program
    .command('attrs')
    .description('list the attributes driftscan records, with rpm\'s flag letters')
    .action(() => {
      for (const row of ATTRIBUTES) {
        process.stdout.write(`${row.name.padEnd(8)} ${row.letter ?? '-'}  ${row.source.padEnd(8)} ${row.description}\n`);
      }
      process.stdout.write(`sets: ${Object.entries(ATTR_SETS).map(([k, v]) => `${k} (${v.length})`).join(', ')}\n`);
    });
}
