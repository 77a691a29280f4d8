/**
 * Hostile shapes of the scanned tree: symlink loops and a symlink to / inside
 * --root, a bind mount of the tree inside itself, a directory of 200k entries,
 * paths deeper than PATH_MAX, and names built to forge report lines or move
 * the cursor. Each completes, is correct, and is escaped in every format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, makeTree, rawPath, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keygen } from '../helpers/cli.js';

const mounts: string[] = [];
let work: string;
let key: string;
let pub: string;

function baseline(tree: string, name: string, ...args: string[]): { file: string; stderr: string; code: number } {
  const file = path.join(work, `${name}.dsb`);
  const r = driftscan(['baseline', '/', '--root', tree, '--key', key, '-o', file, '--packages', 'none', ...args]);
  return { file, stderr: r.stderr, code: r.code };
}

const scan = (file: string, tree: string, ...args: string[]) =>
  driftscan(['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none', ...args]);

beforeAll(() => {
  work = tempDir();
  ({ key, pub } = keygen(path.join(work, 'k')));
});

afterAll(() => {
  for (const dir of mounts.reverse()) spawnSync('umount', ['-l', dir]);
});

describe('loops', () => {
  it('symlink loops and a symlink to / are recorded as links, never followed; the scan is clean', () => {
    const tree = systemTree(tempDir(), {
      'srv/a': { symlink: 'b' }, 'srv/b': { symlink: 'a' }, 'srv/self': { symlink: 'self' },
      'srv/up': { symlink: '..' }, 'srv/rootlink': { symlink: '/' }, 'srv/etc-host': { symlink: '/etc' },
    });
    const b = baseline(tree, 'loops');
    expect(b.code).toBe(0);
    const shown = driftscan(['show', b.file, '/srv', '--pubkey', pub]).stdout;
    expect(shown).toMatch(/ \/srv\/rootlink -> \/$/m);
    expect(shown).toMatch(/ \/srv\/self -> self$/m);
    // Nothing of the host's / or /etc was walked through the links.
    expect(shown.trim().split('\n')).toHaveLength(7);
    expect(shown).not.toMatch(/\/srv\/(rootlink|etc-host|up)\//);
    const r = scan(b.file, tree);
    expect(r.stdout).toMatch(/^# driftscan: clean/m);
    expect(r.code).toBe(0);
  });

  it('a start path that is a symlink to / is recorded as a link, not walked', () => {
    const tree = systemTree(tempDir(), { 'srv/rootlink': { symlink: '/' } });
    const file = path.join(work, 'start.dsb');
    expect(driftscan(['baseline', '/srv/rootlink', '--root', tree, '--key', key, '-o', file, '--packages', 'none']).code).toBe(0);
    const shown = driftscan(['show', file, '--pubkey', pub]).stdout.trim().split('\n');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^ *\d+ +1 lrwxrwxrwx .* \/srv\/rootlink -> \/$/);
  });

  it('a bind mount of the tree inside itself is walked once; the loop is reported, the scan never clean', () => {
    const tree = systemTree(tempDir(), { 'srv/data/f': 'data\n', 'srv/loop': { dir: true } });
    execFileSync('mount', ['--bind', tree, at(tree, 'srv/loop').toString()]);
    mounts.push(at(tree, 'srv/loop').toString());
    const b = baseline(tree, 'bind');
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('could not list /srv/loop;');
    const shown = driftscan(['show', b.file, '--pubkey', pub]).stdout;
    expect(shown.match(/ \/srv\/data\/f /g)).toHaveLength(1);
    expect(shown).not.toContain('/srv/loop/');
    const r = scan(b.file, tree);
    expect(r.stdout).toContain('.........    /srv/loop  untested: contents (ELOOP: contents could not be listed)\n');
    expect(r.code).toBe(8);
  });
});

describe('size and depth', () => {
  it('a directory of 200k entries: baseline and scan complete, one change among them is found', () => {
    const disk = tempDir('driftscan-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m,mode=0755', 'tmpfs', disk]);
    mounts.push(disk);
    const tree = systemTree(disk);
    const big = path.join(tree, 'srv/big');
    fs.mkdirSync(big, { recursive: true });
    for (let i = 0; i < 200_000; i++) fs.closeSync(fs.openSync(`${big}/f${i}`, 'w'));
    const b = baseline(tree, 'big', '--jobs', '2');
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`: ${200_000 + 12} entries`);
    fs.writeFileSync(`${big}/f123456`, 'changed');
    const r = scan(b.file, tree, '--jobs', '2');
    expect(r.code, r.stderr).toBeLessThan(16);
    expect(r.stdout.split('\n').filter((l) => l.includes('/srv/big/'))).toEqual(['S.5....T.    /srv/big/f123456  ctime']);
    expect(r.stdout).toMatch(/; 200012 entries compared$/m);
    expect(r.code).toBe(4);
  }, 60_000);

  it('paths longer than PATH_MAX are reported as not checked, never dropped or clean', () => {
    const tree = systemTree(tempDir());
    const seg = 'd'.repeat(200);
    // 25 levels of 201 bytes: past 4096 bytes, reachable only by relative paths.
    execFileSync('bash', ['-c', `cd "$1" && mkdir -p srv && cd srv && for i in $(seq 25); do mkdir ${seg} && cd ${seg}; done && echo deep > file`, '-', tree]);
    const b = baseline(tree, 'deep');
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/could not list \/srv\/(d{200}\/)+d{200}; nothing below it is in the baseline/);
    const r = scan(b.file, tree, '--format', 'json');
    const doc = JSON.parse(r.stdout);
    const deep = doc.findings.filter((f: { untested: Record<string, string> }) => /ENAMETOOLONG/.test(f.untested.contents ?? ''));
    expect(deep).toHaveLength(1);
    expect(doc.summary).toMatchObject({ clean: false, untested: 1 });
    expect(r.code).toBe(8);
  });
});

describe('hostile names', () => {
  // Raw bytes as \xNN: newline that forges a line, ESC sequences, C1 CSI, bidi override,
  // invalid and truncated UTF-8, tab, DEL, a backslash that could fake an escape.
  const NAMES = [
    'nl\nS.5....T.  c etc-shadow', 'esc\\x1b[2J\\x1b[1;1Hclear', 'csi\\xc2\\x9b31m', 'bidi\\xe2\\x80\\xaeexe.txt',
    'bad\\xff\\xfe', 'trunc\\xe2\\x82', 'tab\there', 'del\\x7f', 'back\\\\x41slash', 'ok-\\xc3\\xa9t\\xc3\\xa9',
  ];
  let tree: string;
  let file: string;

  beforeAll(() => {
    tree = systemTree(tempDir(), Object.fromEntries(NAMES.flatMap((n) => [[`srv/changed/${n}`, 'v1'], [`srv/gone/${n}`, 'x']])));
    makeTree(tree, { 'srv/link': { symlink: 'to\\x1b]0;title\\x07' } });
    const b = baseline(tree, 'names');
    expect(b.code).toBe(0);
    file = b.file;
    for (const n of NAMES) {
      fs.writeFileSync(at(tree, `srv/changed/${n}`), 'v2 longer');
      fs.unlinkSync(at(tree, `srv/gone/${n}`));
      fs.writeFileSync(at(tree, `srv/new-${n}`), 'added');
    }
    fs.unlinkSync(at(tree, 'srv/link'));
    fs.symlinkSync(rawPath('\\x1b[31mred'), at(tree, 'srv/link'));
  });

  const rawNames = (prefix: string) => NAMES.map((n) => rawPath(`/srv/${prefix}${n}`).toString('latin1'));
  const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('text: one line per finding, no control byte reaches the terminal', () => {
    const r = scan(file, tree);
    expect(r.code).toBe(1 | 2 | 4);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines.filter((l) => l.startsWith('added '))).toHaveLength(NAMES.length);
    expect(lines.filter((l) => l.startsWith('missing '))).toHaveLength(NAMES.length);
    expect(lines.filter((l) => /^S\.5\.\.\.\.T\. /.test(l))).toHaveLength(NAMES.length);
    expect(lines).toContain('added       /srv/new-nl\\nS.5....T.  c etc-shadow');
    expect(lines).toContain('added       /srv/new-esc\\x1b[2J\\x1b[1;1Hclear');
    expect(lines).toContain('added       /srv/new-bad\\xff\\xfe');
    expect(lines).toContain('added       /srv/new-ok-été');
    expect(lines.at(-1)).toMatch(/^# driftscan: NOT clean: 13 changed, 10 missing, 10 added,/);
  });

  for (const format of ['json', 'ndjson'] as const) {
    it(`${format}: escaped text paths, exact bytes in path_hex, no control character in any value`, () => {
      const r = scan(file, tree, '--format', format);
      expect(r.code).toBe(7);
      const findings: Array<{ path: string; path_hex?: string; status: string; deltas: Array<{ old: unknown; new: unknown }> }> =
        format === 'json' ? JSON.parse(r.stdout).findings : r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const bytesOf = (f: { path: string; path_hex?: string }) =>
        f.path_hex ? Buffer.from(f.path_hex, 'hex').toString('latin1') : Buffer.from(f.path, 'utf8').toString('latin1');
      expect(findings.filter((f) => f.status === 'added').map(bytesOf).sort()).toEqual(rawNames('new-').sort());
      expect(findings.filter((f) => f.status === 'missing').map(bytesOf).sort()).toEqual(rawNames('gone/').sort());
      const walk = (v: unknown): void => {
        if (typeof v === 'string') expect(v).not.toMatch(CONTROL);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(findings);
      const link = findings.find((f) => f.path === '/srv/link')!;
      expect(link.deltas).toContainEqual({ attr: 'target', old: 'to\\x1b]0;title\\x07', new: '\\x1b[31mred' });
    });
  }

  it('show: escaped names and link targets', () => {
    const r = driftscan(['show', file, '/srv', '--pubkey', pub]);
    expect(r.code).toBe(0);
    for (const line of r.stdout.trim().split('\n')) expect(line).not.toMatch(CONTROL);
    expect(r.stdout).toContain('/srv/link -> to\\x1b]0;title\\x07\n');
  });
});
