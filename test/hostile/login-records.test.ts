/**
 * lastlog and faillog are rewritten in place, one fixed-size record per uid
 * (lastlog: int32 time, line[32], host[256]; faillog: short count, short max,
 * line[12], int64 time, int64 lock time). Logins move a record's time forward
 * and are not findings; a zeroed, rewound or rewritten record is, with its
 * uid. A huge sparse file is reported as not checked, never read whole.
 */
import fs from 'node:fs';
import { beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { keyedCli, type KeyedCli } from '../helpers/cli.js';

let cli: KeyedCli;

beforeAll(() => {
  cli = keyedCli();
});

const T0 = 1_700_000_000;

function lastlogRecord(time: number, line: string, host: string): Buffer {
  const b = Buffer.alloc(292);
  b.writeInt32LE(time, 0);
  b.write(line, 4, 'latin1');
  b.write(host, 36, 'latin1');
  return b;
}

function faillogRecord(count: number, time: number, line: string): Buffer {
  const b = Buffer.alloc(32);
  b.writeInt16LE(count, 0);
  b.writeInt16LE(3, 2);
  b.write(line, 4, 'latin1');
  b.writeBigInt64LE(BigInt(time), 16);
  return b;
}

/** Rewrites uid's record in place, as login and faillog do. */
function putRecord(file: Buffer, uid: number, record: Buffer): void {
  const fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w');
  try {
    fs.writeSync(fd, record, 0, record.length, uid * record.length);
  } finally {
    fs.closeSync(fd);
  }
}

function baselineOf(tree: string): string {
  const r = cli.baseline(tree, ['--packages', 'none']);
  expect(r.code, r.stderr).toBe(0);
  return r.out;
}

function scan(file: string, tree: string, format = 'text') {
  return cli.scan(file, tree, ['--packages', 'none', '--format', format]);
}

describe('lastlog', () => {
  let tree: string;
  let lastlog: Buffer;
  let file: string;

  beforeEach(() => {
    tree = systemTree(tempDir(), { 'var/log/wtmp': '' });
    lastlog = at(tree, 'var/log/lastlog');
    putRecord(lastlog, 0, lastlogRecord(T0, 'tty1', ''));
    putRecord(lastlog, 1000, lastlogRecord(T0 + 60, 'pts/0', '192.0.2.10'));
    // nobody's record: a 19 MB sparse file, read in bounded chunks
    putRecord(lastlog, 65534, lastlogRecord(T0 + 30, 'pts/9', 'nobody.example'));
    // An atime older than the mtime: any read that touched it would move it (relatime).
    fs.utimesSync(lastlog, new Date(T0 * 1000), new Date());
    file = baselineOf(tree);
  });

  it('logins (a record moves forward, a new uid extends the file) are not findings', () => {
    putRecord(lastlog, 1000, lastlogRecord(T0 + 3600, 'pts/1', '198.51.100.7'));
    putRecord(lastlog, 1500, lastlogRecord(T0 + 7200, 'pts/2', '198.51.100.8'));
    const s = scan(file, tree);
    expect(s.code, s.stdout).toBe(0);
    expect(fs.statSync(lastlog).atimeMs).toBe(T0 * 1000);
  });

  it('a zeroed record is a finding naming the uid', () => {
    putRecord(lastlog, 1000, Buffer.alloc(292));
    const s = scan(file, tree);
    expect(s.code, s.stdout).toBe(4);
    expect(s.stdout).toContain('..5......    /var/log/lastlog\n    uid 1000: 2023-11-14T22:14:20Z -> (none): zeroed\n');
    const doc = JSON.parse(scan(file, tree, 'json').stdout);
    const f = doc.findings.find((x: { path: string }) => x.path === '/var/log/lastlog');
    expect(f.deltas).toEqual([{ attr: 'lastlog', old: '0@2023-11-14T22:13:20Z 1000@2023-11-14T22:14:20Z 65534@2023-11-14T22:13:50Z', new: '0@2023-11-14T22:13:20Z 65534@2023-11-14T22:13:50Z' }]);
  });

  it('a rewound record, and one rewritten at the same time, are findings', () => {
    putRecord(lastlog, 0, lastlogRecord(T0 - 86400, 'tty1', ''));
    putRecord(lastlog, 1000, lastlogRecord(T0 + 60, 'pts/0', '203.0.113.99'));
    const s = scan(file, tree);
    expect(s.code, s.stdout).toBe(4);
    expect(s.stdout).toContain('    uid 0: 2023-11-14T22:13:20Z -> 2023-11-13T22:13:20Z: rewound\n' +
      '    uid 1000: 2023-11-14T22:14:20Z -> 2023-11-14T22:14:20Z: rewritten at the same time\n');
  });
});

describe('faillog', () => {
  it('a reset count is not a finding; a rewound failure time is', () => {
    const tree = systemTree(tempDir(), { 'var/log/wtmp': '' });
    const faillog = at(tree, 'var/log/faillog');
    putRecord(faillog, 1000, faillogRecord(2, T0, 'pts/3'));
    const file = baselineOf(tree);
    putRecord(faillog, 1000, faillogRecord(0, T0, 'pts/3'));
    putRecord(faillog, 1001, faillogRecord(1, T0 + 5, 'pts/4'));
    expect(scan(file, tree).code).toBe(0);
    putRecord(faillog, 1000, faillogRecord(0, T0 - 1, 'pts/3'));
    const s = scan(file, tree);
    expect(s.code, s.stdout).toBe(4);
    expect(s.stdout).toContain('..5......    /var/log/faillog\n    uid 1000: 2023-11-14T22:13:20Z -> 2023-11-14T22:13:19Z: rewound\n');
  });
});

describe('a huge sparse lastlog', () => {
  it('is reported as not checked (EFBIG), never read whole', () => {
    const tree = systemTree(tempDir(), { 'var/log/wtmp': '' });
    const lastlog = at(tree, 'var/log/lastlog');
    // uid 4294967294 (nfsnobody) logging in once makes a 1.2 TB sparse file.
    putRecord(lastlog, 0, lastlogRecord(T0, 'tty1', ''));
    fs.truncateSync(lastlog, 292 * 4294967295);
    const file = baselineOf(tree);
    const s = scan(file, tree);
    expect(s.code, s.stdout).toBe(8);
    expect(s.stdout).toContain('..?......    /var/log/lastlog  untested: lastlog (baseline: EFBIG)\n');
  });
});
