#!/usr/bin/env node
// Memory and time against the tree's size: build a synthetic tree of BENCH_ENTRIES entries (default 1e6;
// a comma list such as 1e6,1e7 runs each and prints the ratio of their times): dirs of 999 files of 0–1023
// bytes, made by a small C helper. Then `driftscan baseline` and `driftscan scan` of it, with the median wall
// time of BENCH_RUNS rounds, every round, peak RSS (GNU time %M, max over rounds) and time per entry.
// Where the tree goes: BENCH_FS=dir (default when every size is below 5M: a directory under BENCH_TMP, files of
// 0–1023 bytes, read once untimed to warm the cache) or loop (the default otherwise, for every size of the run so
// the ratio compares like with like: an ext4 image loop-mounted under BENCH_TMP, one inode per entry, files of
// 0–59 bytes stored inline in their inodes, so ten million of them fit the page cache; needs root and ~0.4 KB of
// disk per entry) or tmpfs (a tmpfs per size under BENCH_TMP, nr_inodes = entries x 1.05: tmpfs inodes and dentries
// cannot be evicted, so the whole tree stays in memory at every size, ~1.1 KB of kernel memory per entry; a file
// with bytes takes a whole 4 KiB page, so only one file in BENCH_FILLED_EVERY (default 16) holds 0–59 bytes and the
// rest are empty; refuses unless MemAvailable covers the tree plus 3 GB; needs root). The baselines stay in the
// scratch dir, off the tree's filesystem. BENCH_MAX_BYTES overrides the file sizes. Everything is removed (and
// unmounted) at exit, also on Ctrl-C, unless BENCH_KEEP=1.
// env: BENCH_PEERS=1 adds aide --init / --check (slow), BENCH_DIAG=1 adds a walk-only baseline (no digests).
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, statSync, rmSync, mkdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, RUNS, preflight, die, scratch, countAndWarm, countTree, rounds, table, banner, aideConf, AIDE_RULE, supports, fail, f2, mb, kps, ratio, median, loadNow } from './lib.mjs';

const SIZES = (process.env.BENCH_ENTRIES ?? '1e6').split(',').map((s) => Math.round(Number(s)));
if (SIZES.some((n) => !(n >= 2000))) die(`BENCH_ENTRIES takes entry counts of 2000 or more, comma-separated, not '${process.env.BENCH_ENTRIES}'`);
const FILES = 999;
const PEERS = process.env.BENCH_PEERS === '1', DIAG = process.env.BENCH_DIAG === '1', KEEP = process.env.BENCH_KEEP === '1';
const LOOP_FROM = 5e6;
const FS = process.env.BENCH_FS ?? (SIZES.some((n) => n >= LOOP_FROM) ? 'loop' : 'dir');
if (!['dir', 'loop', 'tmpfs'].includes(FS)) die(`BENCH_FS takes dir, loop or tmpfs, not '${FS}'`);
const MAX_BYTES = Number(process.env.BENCH_MAX_BYTES ?? (FS === 'dir' ? 1024 : 60));
if (!(Number.isInteger(MAX_BYTES) && MAX_BYTES >= 1 && MAX_BYTES <= 1024)) die(`BENCH_MAX_BYTES takes 1 to 1024, not '${process.env.BENCH_MAX_BYTES}'`);
// One file in FILLED_EVERY holds bytes (0..MAX_BYTES-1), the others are empty: on tmpfs each non-empty file costs a page.
const FILLED_EVERY = Math.max(1, Math.round(Number(process.env.BENCH_FILLED_EVERY ?? (FS === 'tmpfs' ? 16 : 1))) || 1);
preflight(PEERS ? ['aide', 'cc', 'find'] : ['cc', 'find']);
// Kernel memory a tmpfs tree pins: shmem inode (752 B) + dentry (192 B) + slab slack, measured ~1.1 KB per entry,
// and one page per file that holds bytes. Checked for the largest size before anything is built.
const TMPFS_PER_ENTRY = 1100, PAGE = 4096, HEADROOM = 3 * 2 ** 30;
const tmpfsBytes = (entries) => Math.ceil(entries / FILLED_EVERY) * PAGE;
const tmpfsNeed = (entries) => entries * TMPFS_PER_ENTRY + tmpfsBytes(entries) + HEADROOM;
const memAvailable = () => Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024;
const gb = (b) => (b / 1e9).toFixed(1);
if (FS === 'tmpfs' && memAvailable() < tmpfsNeed(Math.max(...SIZES))) {
  die(`a tmpfs tree of ${Math.max(...SIZES)} entries needs ${gb(tmpfsNeed(Math.max(...SIZES)))} GB of available memory (tree + 3 GB headroom); MemAvailable is ${gb(memAvailable())} GB`);
}

const MAKE_TREE_C = String.raw`
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc != 6) return 2;
  int dirs = atoi(argv[2]), files = atoi(argv[3]), max = atoi(argv[4]), every = atoi(argv[5]);
  char path[4096], buf[1024];
  for (int i = 0; i < 1024; i++) buf[i] = 'a' + (i * 7) % 26;
  if (mkdir(argv[1], 0755) && errno != EEXIST) { perror(argv[1]); return 1; }
  for (int d = 0; d < dirs; d++) {
    snprintf(path, sizeof path, "%s/d%05d", argv[1], d);
    if (mkdir(path, 0755) && errno != EEXIST) { perror(path); return 1; }
    for (int f = 0; f < files; f++) {
      int n = snprintf(path, sizeof path, "%s/d%05d/f%04d", argv[1], d, f);
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) { perror(path); return 1; }
      size_t size = f % every ? 0 : (size_t)(d * 31 + f * 17) % (size_t)max;     /* 0..max-1 bytes, or empty */
      size_t head = (size_t)n < size ? (size_t)n : size;          /* unique content: the path first */
      if (write(fd, path, head) != (ssize_t)head || write(fd, buf, size - head) != (ssize_t)(size - head)) { perror(path); return 1; }
      close(fd);
    }
  }
  return 0;
}
`;

const s = scratch('ds-million-');
const mounts = [];
const loops = [];
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
};
const unmount = (m) => { if (spawnSync('umount', [m]).status !== 0) spawnSync('umount', ['-l', m]); };
const cleanup = () => {
  if (KEEP) { console.error(`kept ${s.dir}`); return; }
  for (const m of mounts.splice(0)) unmount(m);
  for (const l of loops.splice(0)) spawnSync('losetup', ['-d', l]);
  spawnSync('rm', ['-rf', '--one-file-system', s.dir]);
};
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

/** A directory for a tree of `entries` entries, and how it was made. */
function place(entries, name) {
  const dir = join(s.dir, name);
  mkdirSync(dir);
  if (FS === 'dir') return { dir, how: `a directory under ${s.dir}` };
  if (FS === 'tmpfs') {
    const need = tmpfsNeed(entries), avail = memAvailable();
    if (avail < need) fail(`a tmpfs tree of ${entries} entries needs ${gb(need)} GB of available memory (tree + 3 GB headroom); MemAvailable is ${gb(avail)} GB`);
    const size = Math.ceil(tmpfsBytes(entries) * 1.05 / (1 << 20)) + 64, inodes = Math.ceil(entries * 1.05);
    sh('mount', ['-t', 'tmpfs', '-o', `size=${size}m,nr_inodes=${inodes},mode=0755,noatime`, `ds-million-${entries}`, dir]);
    mounts.push(dir);
    return { dir, how: `a tmpfs (size ${size} MiB, ${inodes} inodes, noatime; MemAvailable ${gb(avail)} GB before)` };
  }
  // One 256-byte inode per entry holding the file's bytes (inline_data), 1 KiB blocks for the directories.
  const perEntry = 256 + 32 + (MAX_BYTES > 60 ? 1024 : 0);
  const bytes = Math.ceil(entries * 1.25 * perEntry / (1 << 20)) * (1 << 20) + (1 << 30);
  const st = statfsSync(s.dir);
  if (st.bavail * st.bsize < bytes * 1.1) fail(`a loop image for ${entries} entries needs ${(bytes / 1e9).toFixed(1)} GB in ${s.dir}`);
  const img = join(s.dir, `${name}.img`);
  sh('truncate', ['-s', String(bytes), img]);
  sh('mkfs.ext4', ['-q', '-F', '-b', '1024', '-I', '256', '-N', String(Math.ceil(entries * 1.05)), '-m', '0', '-O', '^has_journal,inline_data', img]);
  // Direct I/O: the image's blocks are cached once (by the mounted filesystem), not a second time as the image file's pages.
  const dev = sh('losetup', ['--find', '--show', '--direct-io=on', img]).trim();
  loops.push(dev);
  sh('mount', ['-o', 'noatime', dev, dir]);
  mounts.push(dir);
  return { dir, dev, how: `a loop-mounted ext4 image (${(bytes / 1e9).toFixed(1)} GB sparse, direct I/O, inline data, 1 KiB blocks, ${Math.ceil(entries * 1.05)} inodes, no journal)` };
}

const node = process.execPath;
const NOPKG = supports('baseline', '--packages') ? ['--packages', 'none'] : []; // file integrity only
const results = [];
try {
  writeFileSync(join(s.dir, 'mktree.c'), MAKE_TREE_C);
  const cc = spawnSync('cc', ['-O2', '-o', join(s.dir, 'mktree'), join(s.dir, 'mktree.c')], { encoding: 'utf8' });
  if (cc.status !== 0) fail(`cc failed:\n${cc.stderr}`);
  for (const want of SIZES) results.push(await measure(want));
  if (results.length > 1) {
    console.log(`\n### time against entries (target: 10× the entries in ≤ 11× the time, peak RSS ≤ 300 MB at every size)\n`);
    const [small] = results;
    console.log(table(['entries', 'baseline median s', '÷ smallest', 'scan median s', '÷ smallest', 'find floor s', '÷ smallest', 'entries ÷ smallest', 'peak RSS MB baseline / scan'],
      results.map((r) => [r.entries.toLocaleString('en-US'), f2(r.base), ratio(r.base, small.base), f2(r.scan), ratio(r.scan, small.scan),
        f2(r.floor), ratio(r.floor, small.floor), ratio(r.entries, small.entries), `${mb(r.baseRss)} / ${mb(r.scanRss)}`])));
    // CPU seconds (user+sys, every thread) hardly move with the machine's load; wall time on a shared machine does.
    console.log(`\nThe same in CPU seconds (user+sys of the process, every thread; GNU time):\n`);
    console.log(table(['entries', 'baseline CPU s', '÷ smallest', 'scan CPU s', '÷ smallest', 'find floor CPU s', '÷ smallest', 'entries ÷ smallest'],
      results.map((r) => [r.entries.toLocaleString('en-US'), f2(r.baseCpu), ratio(r.baseCpu, small.baseCpu), f2(r.scanCpu), ratio(r.scanCpu, small.scanCpu),
        f2(r.floorCpu), ratio(r.floorCpu, small.floorCpu), ratio(r.entries, small.entries)])));
  }
  console.log(`\n- /proc/loadavg at the end: ${loadNow()}`);
} catch (e) {
  if (!String(e?.message).startsWith('bench: ')) throw e;
  console.error(e.message); // one line (the finally still unmounts and removes), exit 2 like die()
  process.exitCode = 2;
} finally {
  cleanup();
}

async function measure(want) {
  const dirs = Math.max(1, Math.round((want - 1) / (FILES + 1)));
  const name = `tree-${want}`;
  const { dir: mountDir, dev, how } = place(want, name);
  const tree = join(mountDir, 't');
  const t0 = process.hrtime.bigint();
  const mem0 = kernelMemory();
  const mk = spawnSync(join(s.dir, 'mktree'), [tree, String(dirs), String(FILES), String(MAX_BYTES), String(FILLED_EVERY)], { encoding: 'utf8' });
  if (mk.status !== 0) fail(`building the tree failed:\n${mk.stderr}`);
  const built = Number(process.hrtime.bigint() - t0) / 1e9;
  const mem1 = kernelMemory();
  // A loop image's or a tmpfs's tree was just written (in memory); a directory's files are read once.
  const { entries } = FS === 'dir' ? countAndWarm(tree, `, built in ${f2(built)} s in ${how}`) : countOnly(tree, `, built in ${f2(built)} s in ${how}`);
  const out = (f) => join(s.dir, `${name}-${f}`);
  const conf = aideConf(out('aide.conf'), { tree, dbIn: out('aide.db'), dbOut: out('aide.db'), rule: AIDE_RULE });
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
  const r = [...res.values()].map((x) => ({ ...x, med: median(x.walls) }));
  const [base, scan] = r;
  const dsb = statSync(out('ds.dsb')).size;
  const rows = r.map((x) => [x.label, f2(x.med), x.walls.map(f2).join(' / '), f2(x.cpu), mb(x.rssMB), `${(x.med / entries * 1e6).toFixed(2)} µs`,
    kps(entries, x.med), / scan|--check/.test(x.label) ? ratio(x.med, scan.med) : ratio(x.med, base.med),
    x.failures.length ? `exit ${x.failures.join(',')}` : x.last.code ? `drift (exit ${x.last.code})` : 'ok']);

  console.log(banner(`driftscan on a synthetic tree of ${entries.toLocaleString('en-US')} entries`,
    `${dirs} dirs × ${FILES} files of 0–${MAX_BYTES - 1} bytes${FILLED_EVERY > 1 ? ` (one in ${FILLED_EVERY}; the rest empty)` : ''} in ${how}, built in ${f2(built)} s · median of ${RUNS}`));
  console.log(table(['command', 'wall s (median)', 'every round', 'CPU s (user+sys, median)', 'peak RSS MB (max)', 'per entry', 'entries/s', 'wall ÷ driftscan (same op)', 'status'], rows));
  console.log('');
  for (const x of [base, scan]) console.log(`- ${x.label}: peak RSS ${mb(x.rssMB)} MB (target ≤ 300 MB: ${x.rssMB <= 300 ? 'met' : 'NOT met'})`);
  console.log(`- baseline file: ${(dsb / 1e6).toFixed(1)} MB, **${(dsb / entries).toFixed(1)} bytes/entry**`);
  const aide = r.filter((x) => x.label.startsWith('aide'));
  if (aide.length === 2) {
    const db = statSync(out('aide.db')).size;
    console.log(`- aide/driftscan: init ${ratio(aide[0].med, base.med)}, check ${ratio(aide[1].med, scan.med)}; aide db ${(db / entries).toFixed(1)} bytes/entry`);
  }
  if (scan.last.code) console.log(`- scan of the unchanged tree reported:\n\n\`\`\`\n${scan.last.stdout.trim().split('\n').slice(-6).join('\n')}\n\`\`\``);
  if (FS === 'tmpfs') {
    const df = statfsSync(tree), used = (df.blocks - df.bfree) * df.bsize, d = (k) => mem1[k] - mem0[k];
    console.log(`- tmpfs memory for the tree: ${(used / 1e6).toFixed(0)} MB of file pages (statfs), ${(df.files - df.ffree).toLocaleString('en-US')} inodes; ` +
      `kernel Slab +${(d('Slab') / 1e6).toFixed(0)} MB while building (the whole machine's) ` +
      `(pages + slab: **${((used + d('Slab')) / entries).toFixed(0)} bytes/entry**; the check before mounting assumes ${TMPFS_PER_ENTRY} + ${PAGE}/${FILLED_EVERY})`);
    console.log(`- kernel caches after this size: ${slabs(['shmem_inode_cache', 'dentry'])} (tmpfs inodes and dentries are never evicted)`);
  } else {
    console.log(`- kernel caches after this size: ${slabs(['ext4_inode_cache', 'dentry'])} (a tree whose inodes do not all fit is re-read from its disk: the find floor grows faster than the entries)`);
  }
  console.log(`- /proc/loadavg after this size: ${loadNow()}\n`);
  // The next size gets the disk and the page cache to itself.
  for (const f of ['ds.dsb', 'walk.dsb', 'aide.db']) rmSync(out(f), { force: true });
  if (mounts.includes(mountDir)) {
    unmount(mountDir);
    mounts.splice(mounts.indexOf(mountDir), 1);
    if (dev) {
      spawnSync('losetup', ['-d', dev]);
      loops.splice(loops.indexOf(dev), 1);
      rmSync(join(s.dir, `${name}.img`), { force: true });
    }
  } else {
    spawnSync('rm', ['-rf', '--one-file-system', tree]);
  }
  return { entries, base: base.med, scan: scan.med, floor: r.at(-1).med, baseRss: base.rssMB, scanRss: scan.rssMB,
    baseCpu: base.cpu, scanCpu: scan.cpu, floorCpu: r.at(-1).cpu };
}

function countOnly(tree, note) {
  const counts = countTree(tree);
  process.stderr.write(`${tree}: ${counts.files} regular files, ${counts.entries} entries${note}\n`);
  return counts;
}

/** /proc/meminfo's fields in bytes, for the memory a tmpfs tree takes. */
function kernelMemory() {
  return Object.fromEntries([...readFileSync('/proc/meminfo', 'utf8').matchAll(/^(\w+):\s+(\d+) kB/gm)].map((m) => [m[1], Number(m[2]) * 1024]));
}

/** The kernel's inode and dentry caches (slab names), from /proc/slabinfo (root only). */
function slabs(names) {
  try {
    const lines = readFileSync('/proc/slabinfo', 'utf8').split('\n');
    const get = (name) => lines.find((l) => l.startsWith(name + ' '))?.split(/\s+/);
    return names.map((n) => {
      const f = get(n);
      return f ? `${n} ${Number(f[1]).toLocaleString('en-US')} objects (${(f[1] * f[3] / 1e9).toFixed(1)} GB)` : `${n} ?`;
    }).join(', ');
  } catch {
    return 'unknown (no /proc/slabinfo)';
  }
}
