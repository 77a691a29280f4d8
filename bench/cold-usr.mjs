#!/usr/bin/env node
// Cold-cache benchmark (issue 13, goal 2): `driftscan baseline TREE --packages none` with the page cache
// dropped before every run, vs the parallel read floor `find TREE -type f -print0 | xargs -0 -P16 cat`
// (also cold). Median of BENCH_RUNS rounds (default 4), round-robin. Needs root (drop_caches); it
// empties the page cache of the whole machine, so other benchmarks running at the same time suffer.
// Usage: node bench/cold-usr.mjs [TREE=/usr]   env: BENCH_RUNS=N, BENCH_JOBS8=0 to skip the --jobs 8 row
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, preflight, scratch, countTree, rounds, table, banner, supports, dropCaches, allRounds, die, f2, mb, kps, ratio } from './lib.mjs';

const TREE = (process.argv[2] ?? '/usr').replace(/(.)\/+$/, '$1');
preflight(['find', 'xargs', 'cat']);
if (!dropCaches()) die('cannot drop the page cache (needs root: echo 3 > /proc/sys/vm/drop_caches)');

const s = scratch('ds-cold-');
try {
  const { files, entries } = countTree(TREE);
  const node = process.execPath;
  const out = (name) => join(s.dir, name);
  const NOPKG = supports('baseline', '--packages') ? ['--packages', 'none'] : [];
  const base = ['baseline', TREE, '--key', s.key, ...NOPKG];
  const cold = (f) => () => { rmSync(out(f), { force: true }); dropCaches(); };
  const specs = [
    { label: 'driftscan baseline, cold (default jobs, --packages none)', cmd: node, args: [CLI, ...base, '-o', out('ds.dsb')], before: cold('ds.dsb') },
  ];
  if (process.env.BENCH_JOBS8 !== '0') {
    specs.push({ label: 'driftscan baseline --jobs 8, cold', cmd: node, args: [CLI, ...base, '--jobs', '8', '-o', out('j8.dsb')], before: cold('j8.dsb') });
  }
  specs.push({ label: 'floor: find | xargs -0 -P16 cat, cold', cmd: 'sh', before: cold('none'),
    args: ['-c', 'find "$1" -xdev -type f -print0 | xargs -0 -P16 cat >/dev/null 2>&1; exit 0', 'sh', TREE] });

  const res = await rounds(specs, { dir: s.dir });
  const r = [...res.values()];
  const ds = r[0], floor = r[r.length - 1];
  const rows = r.map((x) => [x.label, f2(x.wall), mb(x.rssMB), kps(files, x.wall), ratio(x.wall, floor.wall),
    x.failures.length ? `exit ${x.failures.join(',')}` : 'ok']);
  console.log(banner(`driftscan baseline from a cold page cache on ${TREE}`, `${files.toLocaleString('en-US')} files, ${entries.toLocaleString('en-US')} entries, caches dropped before every run`));
  console.log(table(['command', 'wall s (median)', 'peak RSS MB (max)', 'files/s', 'wall ÷ read floor', 'status'], rows));
  console.log('');
  console.log(`- driftscan/read floor: **${ratio(ds.wall, floor.wall)}** (goal 2: ≤ 1.1×: ${ds.wall / floor.wall <= 1.1 ? 'met' : 'NOT met'})`);
  console.log(`- load (/proc/loadavg): ${ds.loadBefore} before, ${ds.loadAfter} after`);
  console.log(`- every round (s): ${allRounds(r)}`);
} finally {
  s.cleanup();
}
