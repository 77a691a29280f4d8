/** Attribute rows and value helpers. */
import { describe, expect, it } from 'vitest';
import { decodeCapabilities } from '../../src/attrs/caps.js';
import { attrRow, ATTRIBUTES } from '../../src/attrs/registry.js';
import { displayPath } from '../../src/paths.js';
import { flagString } from '../../src/compare/compare.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('capabilities', () => {
  it('decodes revision 2 as getcap prints it', () => {
    // setcap cap_net_admin,cap_net_raw+ep (read back with getfattr -e hex)
    expect(decodeCapabilities(hex('0100000200300000000000000000000000000000'))).toBe('cap_net_admin,cap_net_raw=ep');
  });
  it('groups by flag set, and shows inheritable', () => {
    // permitted: cap_chown (0); inheritable: cap_kill (5); no effective bit
    expect(decodeCapabilities(hex('00000002 01000000 20000000 00000000 00000000'))).toBe('cap_chown=p cap_kill=i');
  });
  it('keeps the rootid of revision 3', () => {
    expect(decodeCapabilities(hex('01000003 00200000 00000000 00000000 00000000 e8030000'))).toBe('cap_net_raw=ep [rootid=1000]');
  });
  it('shows unknown layouts as hex rather than dropping them', () => {
    expect(decodeCapabilities(hex('01000009'))).toBe('raw:01000009');
  });
});

describe('rows', () => {
  const none = { growing: false };
  it('mtime: nanoseconds count, unless one side has only seconds', () => {
    const row = attrRow('mtime')!;
    expect(row.equal([10, 5], [10, 5], none)).toBe(true);
    expect(row.equal([10, 5], [10, 6], none)).toBe(false);
    expect(row.equal([10, 5], [10, 0], none)).toBe(true);
    expect(row.equal([10, 5], [11, 5], none)).toBe(false);
  });
  it('size: a growing log may grow, never shrink', () => {
    const row = attrRow('size')!;
    expect(row.equal(10, 20, { growing: true })).toBe(true);
    expect(row.equal(10, 5, { growing: true })).toBe(false);
    expect(row.equal(10, 20, none)).toBe(false);
  });
  it('mode prints in octal with special bits', () => {
    expect(attrRow('mode')!.format(0o4755)).toBe('4755');
  });
});

describe('flags', () => {
  it('letters in rpm order, ? for untested', () => {
    expect(flagString(new Set(['size', 'sha256', 'mtime']), new Set())).toBe('S.5....T.');
    expect(flagString(new Set(['type']), new Set(['sha256']))).toBe('.M?......');
    expect(flagString(new Set(['caps', 'owner']), new Set())).toBe('.....U..P');
  });
});

describe('displayPath', () => {
  it('escapes control bytes, backslashes and invalid UTF-8, keeps valid UTF-8', () => {
    const p = (s: string) => Buffer.from(s, 'binary').toString('latin1');
    expect(displayPath(p('/a\nb'))).toBe('/a\\nb');
    expect(displayPath(p('/esc\x1b[31m'))).toBe('/esc\\x1b[31m');
    expect(displayPath(p('/bad\xff'))).toBe('/bad\\xff');
    expect(displayPath(p('/back\\slash'))).toBe('/back\\\\slash');
    expect(displayPath(Buffer.from('/café', 'utf8').toString('latin1'))).toBe('/café');
    expect(displayPath(Buffer.from('/rl\u202eo', 'utf8').toString('latin1'))).toBe('/rl\\xe2\\x80\\xaeo');
  });
});

describe('login record rows', () => {
  const none = { growing: false };
  /** A ChunkReader over an in-memory file, in chunks as the real one gives them. */
  const reader = (file: Buffer) => (chunk: number, visit: (b: Buffer, n: number, off: number) => void) => {
    for (let off = 0; off < file.length; off += chunk) {
      const piece = file.subarray(off, off + chunk);
      visit(Buffer.from(piece), piece.length, off);
    }
  };
  const lastlog = (records: Array<[number, number, string]>, size = 0) => {
    const top = Math.max(0, ...records.map(([uid]) => uid + 1));
    const b = Buffer.alloc(Math.max(size, top * 292));
    for (const [uid, time, host] of records) {
      b.writeUInt32LE(time, uid * 292);
      b.write(host, uid * 292 + 36);
    }
    return b;
  };
  const collect = (name: string, file: Buffer) =>
    attrRow(name)!.collect!({ kind: 'file', st: { size: file.length } as never, users: new Map(), groups: new Map(), read: reader(file) });

  it('lastlog keeps only non-empty records, across chunk boundaries, by uid', () => {
    const v = collect('lastlog', lastlog([[0, 100, 'a'], [5000, 200, 'b']])) as Record<string, string>;
    expect(Object.keys(v)).toEqual(['0', '5000']);
    expect(v['5000']).toMatch(/^200 [0-9a-f]{8}$/);
  });

  it('a time may move forward; a zeroed, rewound or same-time rewritten record differs', () => {
    const row = attrRow('lastlog')!;
    const old = collect('lastlog', lastlog([[0, 100, 'a'], [7, 200, 'b']]));
    expect(row.equal(old, collect('lastlog', lastlog([[0, 150, 'c'], [7, 200, 'b'], [9, 1, 'x']])), none)).toBe(true);
    const zeroed = collect('lastlog', lastlog([[0, 100, 'a']]));
    expect(row.equal(old, zeroed, none)).toBe(false);
    expect(row.explain!(old, zeroed)).toBe('uid 7: 1970-01-01T00:03:20Z -> (none): zeroed');
    expect(row.equal(old, collect('lastlog', lastlog([[0, 99, 'a'], [7, 200, 'b']])), none)).toBe(false);
    expect(row.equal(old, collect('lastlog', lastlog([[0, 100, 'z'], [7, 200, 'b']])), none)).toBe(false);
  });

  it('a file larger than the cap is EFBIG before anything is read', () => {
    const row = attrRow('lastlog')!;
    let read = false;
    expect(() => row.collect!({
      kind: 'file', st: { size: 2 ** 40 } as never, users: new Map(), groups: new Map(), read: () => { read = true; },
    })).toThrow(expect.objectContaining({ code: 'EFBIG' }));
    expect(read).toBe(false);
  });
});

describe('on-disk codes', () => {
  it('are the ones baselines were written with (a changed code would misread every existing baseline)', () => {
    expect(Object.fromEntries(ATTRIBUTES.map((r) => [r.name, r.code]))).toEqual({
      type: 0, mode: 1, size: 2, sha256: 3, xxh64: 4, rdev: 5, target: 6, uid: 7, owner: 8, gid: 9, group: 10,
      mtime: 11, caps: 12, xattrs: 13, ctime: 14, content: 15, inode: 16, nlink: 17, lastlog: 18, faillog: 19,
    });
  });
});
