#!/usr/bin/env node
// A million entries: build a synthetic tree (BENCH_DIRS dirs x BENCH_FILES files of 0–1023 bytes,
// default 1000 x 999 = 1,000,001 entries with the dirs and the root) under BENCH_TMP (default /tmp)
// with a small C helper, then time `driftscan baseline` and `driftscan scan` of it, with peak RSS
// and the baseline's bytes per entry. The tree is removed afterwards (also on Ctrl-C).
// env: BENCH_RUNS=N (default 3), BENCH_PEERS=1 adds aide --init / --check (slow), BENCH_DIAG=1 adds a
// walk-only baseline (no digests), BENCH_KEEP=1 keeps the tree.
import { spawnSync } from 'node:child_process';
import { writeFileSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, preflight, scratch, countAndWarm, rounds, table, banner, aideConf, AIDE_RULE, supports, fail, f2, mb, kps, ratio } from './lib.mjs';

const DIRS = Number(process.env.BENCH_DIRS ?? 1000), FILES = Number(process.env.BENCH_FILES ?? 999);
const PEERS = process.env.BENCH_PEERS === '1', DIAG = process.env.BENCH_DIAG === '1';
preflight(PEERS ? ['aide', 'cc', 'find'] : ['cc', 'find']);

const MAKE_TREE_C = String.raw`
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int dirs = atoi(argv[2]), files = atoi(argv[3]);
  char path[4096], buf[1024];
  for (int i = 0; i < 1024; i++) buf[i] = 'a' + (i * 7) % 26;
  if (mkdir(argv[1], 0755) && errno != EEXIST) { perror(argv[1]); return 1; }
  for (int d = 0; d < dirs; d++) {
    snprintf(path, sizeof path, "%s/d%04d", argv[1], d);
    if (mkdir(path, 0755) && errno != EEXIST) { perror(path); return 1; }
    for (int f = 0; f < files; f++) {
      int n = snprintf(path, sizeof path, "%s/d%04d/f%04d", argv[1], d, f);
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) { perror(path); return 1; }
      size_t size = (size_t)(d * 31 + f * 17) % 1024;           /* 0..1023 bytes */
      size_t head = (size_t)n < size ? (size_t)n : size;          /* unique content: the path first */
      if (write(fd, path, head) != (ssize_t)head || write(fd, buf, size - head) != (ssize_t)(size - head)) { perror(path); return 1; }
      close(fd);
    }
  }
  return 0;
}
`;

const s = scratch('ds-million-');
const tree = join(s.dir, 'tree');
const cleanup = () => {
  if (process.env.BENCH_KEEP === '1') { console.error(`kept ${tree}`); return; }
  spawnSync('rm', ['-rf', '--one-file-system', s.dir]);
};
process.on('SIGINT', () => { cleanup(); process.exit(130); });

try {
  writeFileSync(join(s.dir, 'mktree.c'), MAKE_TREE_C);
  const cc = spawnSync('cc', ['-O2', '-o', join(s.dir, 'mktree'), join(s.dir, 'mktree.c')], { encoding: 'utf8' });
  if (cc.status !== 0) fail(`cc failed:\n${cc.stderr}`);
  const t0 = process.hrtime.bigint();
  const mk = spawnSync(join(s.dir, 'mktree'), [tree, String(DIRS), String(FILES)], { encoding: 'utf8' });
  if (mk.status !== 0) fail(`building the tree failed:\n${mk.stderr}`);
  const built = Number(process.hrtime.bigint() - t0) / 1e9;
  const { files, entries } = countAndWarm(tree, `, built in ${f2(built)} s`);

  const node = process.execPath;
  const out = (name) => join(s.dir, name);
  const conf = aideConf(out('aide.conf'), { tree, dbIn: out('aide.db'), dbOut: out('aide.db'), rule: AIDE_RULE });
  const NOPKG = supports('baseline', '--packages') ? ['--packages', 'none'] : []; // file integrity only
  const specs = [
    { label: 'driftscan baseline (sha256+xxh64)', cmd: node, args: [CLI, 'baseline', tree, ...NOPKG, '--key', s.key, '-o', out('ds.dsb')],
      before: () => rmSync(out('ds.dsb'), { force: true }) },
    { label: 'driftscan scan', cmd: node, args: [CLI, 'scan', out('ds.dsb'), ...NOPKG, '--pubkey', s.pub], ok: (c) => c < 16 },
  ];
  if (DIAG) {
    writeFileSync(out('walk.rules'), `include ${tree}\nattrs /** -sha256 -xxh64\n`);
    specs.push({ label: 'diag: driftscan baseline walk-only (no digests)', cmd: node,
      args: [CLI, 'baseline', '--rules', out('walk.rules'), ...NOPKG, '--key', s.key, '-o', out('walk.dsb')], before: () => rmSync(out('walk.dsb'), { force: true }) });
  }
  if (PEERS) specs.push(
    { label: 'aide --init (same attributes, 2 workers)', cmd: 'aide', args: ['--init', '-c', conf], before: () => rmSync(out('aide.db'), { force: true }) },
    { label: 'aide --check', cmd: 'aide', args: ['--check', '-c', conf], ok: (c) => c < 14 },
  );
  specs.push({ label: 'floor: find -printf (lstat only)', cmd: 'find', args: [tree, '-xdev', '-printf', '%s %m %U %G %T@\\n'] });

  const res = await rounds(specs, { dir: s.dir });
  const r = [...res.values()];
  const [base, scan] = r;
  const dsb = statSync(out('ds.dsb')).size;
  const rows = r.map((x) => [x.label, f2(x.wall), mb(x.rssMB), kps(entries, x.wall),
    / scan|--check/.test(x.label) ? ratio(x.wall, scan.wall) : ratio(x.wall, base.wall),
    x.failures.length ? `exit ${x.failures.join(',')}` : x.last.code ? `drift (exit ${x.last.code})` : 'ok']);

  console.log(banner(`driftscan on a synthetic tree of ${entries.toLocaleString('en-US')} entries`,
    `${DIRS} dirs × ${FILES} files of 0–1023 bytes, built in ${f2(built)} s`));
  console.log(table(['command', 'wall s (best)', 'peak RSS MB (max)', 'entries/s', 'wall ÷ driftscan (same op)', 'status'], rows));
  console.log('');
  for (const x of [base, scan]) {
    console.log(`- ${x.label}: peak RSS ${mb(x.rssMB)} MB (target < 1 GB: ${x.rssMB < 1024 ? 'met' : 'NOT met'})`);
  }
  console.log(`- baseline file: ${(dsb / 1e6).toFixed(1)} MB, **${(dsb / entries).toFixed(1)} bytes/entry**`);
  const aide = r.filter((x) => x.label.startsWith('aide'));
  if (aide.length === 2) {
    const db = statSync(out('aide.db')).size;
    console.log(`- aide/driftscan: init ${ratio(aide[0].wall, base.wall)}, check ${ratio(aide[1].wall, scan.wall)}; aide db ${(db / entries).toFixed(1)} bytes/entry`);
  }
  if (scan.last.code) console.log(`- scan of the unchanged tree reported:\n\n\`\`\`\n${scan.last.stdout.trim().split('\n').slice(-6).join('\n')}\n\`\`\``);
  console.log(`- all runs (s): ${r.map((x) => `${x.label.split(' (')[0]}: ${x.walls.map(f2).join('/')}`).join('; ')}`);
} finally {
  cleanup();
}
