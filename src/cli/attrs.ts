import type { Command } from 'commander';
import { ATTRIBUTES, ATTR_SETS } from '../index.js';

export function registerAttrs(program: Command): void {
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
