/**
 * The CLI goes through the library: a file in src/cli/ imports the library
 * (../index.js), another cli file, node built-ins and commander, nothing else.
 * A library user then gets what the CLI gets.
 */
import { describe, expect, it } from 'vitest';
import { allImports } from './imports.js';

describe('src/cli/', () => {
  const cli = allImports().filter((i) => i.from.startsWith('cli/'));

  it('has imports to check (the parser reads them)', () => {
    expect(cli.filter((i) => i.spec === '../index.js').length).toBeGreaterThanOrEqual(8);
  });

  it('imports only ../index.js, ./ cli files, node: built-ins and commander', () => {
    const allowed = (spec: string) =>
      spec === '../index.js' || /^\.\/[\w-]+\.js$/.test(spec) || spec.startsWith('node:') || spec === 'commander';
    expect(cli.filter((i) => !allowed(i.spec)).map((i) => `${i.from} imports ${i.spec}`)).toEqual([]);
  });
});
