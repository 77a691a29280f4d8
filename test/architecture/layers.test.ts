/**
 * Layers point down only: every import in src/ goes to its own layer or one
 * below. The table is ../shared/ARCHITECTURE.md's, as the code has it now
 * (scan/'s assessing half and inspect/ placed; see the rows' notes).
 */
import { describe, expect, it } from 'vitest';
import { allImports } from './imports.js';

/** Highest first. A file belongs to the longest prefix that matches its path below src/. */
const LAYERS: Array<[layer: string, prefixes: string[]]> = [
  ['face', ['cli/']],
  ['library', ['index.ts']],
  ['workflows', ['scan/scan.ts', 'scan/gather.ts', 'scan/late-hooks.ts', 'baseline/build.ts', 'inspect/', 'update/', 'diff/']],
  // Pure decisions over entries, package data and findings (package-check's runPackageTool is the
  // one effect left in it: it starts the package tool for gather).
  ['assess', ['scan/assess.ts', 'scan/package-check.ts', 'scan/walk-evidence.ts', 'scan/walked-entries.ts', 'scan/kept-paths.ts', 'scan/triage-facts.ts', 'triage/', 'compare/', 'pkg/triage.ts', 'report/']],
  ['sources', ['snapshot/', 'walk/', 'hash/', 'pkg/', 'memory.ts']],
  ['format', ['baseline/']],
  ['rules', ['policy/', 'attrs/']],
  ['ground', ['types.ts', 'errors.ts', 'paths.ts', 'beside-walk.ts', 'native.ts', 'native-stat.ts', 'quiet-open.ts', 'read-input.ts']],
];

function layerOf(file: string): number {
  let best: { rank: number; length: number } | undefined;
  LAYERS.forEach(([, prefixes], i) => {
    for (const p of prefixes) {
      if ((file === p || (p.endsWith('/') && file.startsWith(p))) && (!best || p.length > best.length)) {
        best = { rank: LAYERS.length - 1 - i, length: p.length };
      }
    }
  });
  if (!best) throw new Error(`${file} is in no layer: add it to the table`);
  return best.rank;
}

const name = (rank: number) => LAYERS[LAYERS.length - 1 - rank]![0];

describe('layers', () => {
  const internal = allImports().filter((i) => i.target !== undefined);

  it('every source file is in the table', () => {
    const files = new Set(internal.flatMap((i) => [i.from, i.target!]));
    expect(files.size).toBeGreaterThan(50);
    for (const f of files) expect(() => layerOf(f), f).not.toThrow();
  });

  it('every import points to its own layer or one below', () => {
    const upward = internal
      .filter((i) => layerOf(i.target!) > layerOf(i.from))
      .map((i) => `${i.from} (${name(layerOf(i.from))}) imports ${i.target} (${name(layerOf(i.target!))})`);
    expect(upward).toEqual([]);
  });

  it('the table catches an upward import', () => {
    expect(layerOf('attrs/registry.ts')).toBeLessThan(layerOf('report/text.ts'));
    expect(layerOf('pkg/triage.ts')).toBeGreaterThan(layerOf('pkg/rpm.ts'));
  });
});

describe('third-party packages', () => {
  /** Each package has one adapter (ARCHITECTURE.md); the rest of src/ goes through it. */
  const ADAPTERS: Record<string, string> = {
    commander: 'cli/',
    msgpackr: 'baseline/msgpack.ts',
    diff: 'attrs/textdiff.ts',
  };

  it('are imported by their adapter only', () => {
    const bare = allImports().filter((i) => i.target === undefined && !i.spec.startsWith('node:'));
    expect(bare.length).toBeGreaterThan(3);
    const stray = bare.filter((i) => !(ADAPTERS[i.spec] && i.from.startsWith(ADAPTERS[i.spec]!)));
    expect(stray.map((i) => `${i.from} imports ${i.spec}`)).toEqual([]);
  });
});
