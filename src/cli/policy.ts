import type { Command } from 'commander';
import { ATTRIBUTES } from '../attrs/registry.js';
import { DEFAULT_POLICY } from '../policy/default.js';
import { ATTR_SETS } from '../policy/policy.js';
import { lstatInside } from '../walk/walker.js';
import { realFs } from '../walk/fsport.js';
import { displayPath, rootBytes } from '../paths.js';
import { describeReason } from '../snapshot/starts.js';
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
        for (const start of p.starts) {
          if (start.optional) continue;
          const st = lstatInside(realFs, rootBytes(root), start.path);
          if (typeof st !== 'string') continue;
          const under = root === '/' ? '' : ` under ${root}`;
          process.stderr.write(`driftscan: warning: ${start.line}: include ${displayPath(start.path)} ${describeReason(st)}${under}\n`);
        }
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
