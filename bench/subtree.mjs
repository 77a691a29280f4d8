// Issue 13, goal 5: a baseline of a small subtree costs about what the walk costs; the package
// data it records covers only its paths. Times, in the same run, round-robin:
//   driftscan baseline TREE (default --packages auto)   vs   driftscan baseline TREE --packages none
// and, with BENCH_OLD=/path/to/old/dist/cli/main.js, the same default command of another build.
// Usage: node bench/subtree.mjs [TREE=/usr/lib/x86_64-linux-gnu]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, RUNS, countAndWarm, f2, loadNow, mb, median, preflight, rounds, scratch, table } from './lib.mjs';

const tree = process.argv[2] ?? '/usr/lib/x86_64-linux-gnu';
preflight();
const s = scratch();
try {
  const counts = countAndWarm(tree);
  const out = (name) => join(s.dir, name);
  const base = (cli, name, extra = []) => ({ label: name, cmd: process.execPath, args: [cli, 'baseline', tree, '--key', s.key, '-o', out(`${name.replace(/\W+/g, '_')}.dsb`), ...extra] });
  const specs = [
    base(CLI, 'driftscan baseline, default --packages auto'),
    base(CLI, 'peer: driftscan baseline --packages none', ['--packages', 'none']),
  ];
  if (process.env.BENCH_OLD) specs.push(base(process.env.BENCH_OLD, 'earlier build (BENCH_OLD), default'));
  const loadBefore = loadNow();
  const res = await rounds(specs, { dir: s.dir, runs: RUNS });
  const loadAfter = loadNow();
  const none = median(res.get(specs[1].label).walls);
  const rows = specs.map((sp) => {
    const r = res.get(sp.label);
    const size = statSync(out(`${sp.label.replace(/\W+/g, '_')}.dsb`)).size;
    return [sp.label, f2(median(r.walls)), r.walls.map(f2).join(' / '), mb(r.rssMB), (size / 1e6).toFixed(2), `${(median(r.walls) / none).toFixed(2)}×`, r.failures.length ? `FAILED ${r.failures}` : 'ok'];
  });
  console.log(`## bench/subtree.mjs: ${tree} (${counts.files} files, ${counts.entries} entries)\n`);
  console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · median of ${RUNS} rounds · warm cache · load ${loadBefore} before, ${loadAfter} after\n`);
  console.log(table(['command', 'median wall s', 'all runs s', 'peak RSS MB', 'baseline MB', '÷ --packages none', 'status'], rows));
  const d = median(res.get(specs[0].label).walls);
  console.log(`\n- goal 5 (the package data costs in proportion to the subtree): default ÷ --packages none = **${(d / none).toFixed(2)}×** (was 2.06× when the whole host's package data was read: 1.38 s vs 0.67 s)`);
} finally {
  s.cleanup();
}
