/**
 * A hostile baseline file: every byte flipped, every truncation, appended
 * bytes, spliced files, re-signed bodies, rolled-back versions. Thousands of
 * cases in-process (error class and exit code), a sample through the CLI
 * (one line on stderr, the documented exit code, never 0, never a stack).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { keys, treePolicy } from '../helpers/lib.js';
import { buildBaseline } from '../../src/baseline/build.js';
import { openSealed, seal } from '../../src/baseline/sealed.js';
import { keyId } from '../../src/baseline/keys.js';
import { BaselineFormatError, DriftscanError, SignatureError } from '../../src/errors.js';
import { compareEntries } from '../../src/compare/compare.js';
import { REPORTERS } from '../../src/report/reporters.js';
import { summarize } from '../../src/report/summary.js';
import { showLine } from '../../src/report/show.js';
import type { Baseline } from '../../src/types.js';

const other = generateKeyPairSync('ed25519');
let work: string;
let good: Buffer;
let second: Buffer;
let original: Baseline;

const PREFIX = 16;
/** The body length and the offset of the entries' end, after the body. */
const TAIL = 16;
const SIG = 64;
const LABEL = Buffer.from('driftscan baseline format 2, sha512 of the file before the signature\0', 'latin1');

async function sealedTree(extra: Record<string, string>): Promise<{ file: Buffer; baseline: Baseline }> {
  const tree = systemTree(tempDir(), {
    'srv/bad\\xffname': 'x', 'srv/new\nline': 'y', 'srv/esc\\x1b[2Jname': 'z', 'usr/bin/sh': { symlink: 'da\\xfeh' },
    'srv/fifo': { fifo: true }, 'var/log/app.log': 'log\n', ...extra,
  } as Parameters<typeof systemTree>[1]);
  const baseline = await buildBaseline({
    root: tree, policy: treePolicy('config /etc/**\ngrowing /var/log/*.log'), signingKey: keys.privateKey,
    created: new Date(1_700_000_000_000), host: 'fuzzhost', jobs: 1,
    packages: {
      manager: 'dpkg', packages: [{ name: 'coreutils', version: '9.1-1', arch: 'amd64' }],
      files: { '/usr/bin/ls': { pkg: 'coreutils', digest: 'd41d8cd98f00b204e9800998ecf8427e', algo: 'md5' } },
      dbFiles: { '/var/lib/dpkg/status': 'ab'.repeat(32) },
    },
  });
  return { file: seal(baseline, keys.privateKey), baseline };
}

const endOf = (file: Buffer) => file.readBigUInt64BE(file.length - SIG - TAIL + 8);

/** Frame a body as seal() does, with any version, signed by any key; the entries' end as in `good` unless given. */
function frame(body: Buffer, key: KeyObject, version = 2, end = endOf(good)): Buffer {
  const prefix = Buffer.alloc(PREFIX);
  good.copy(prefix, 0, 0, 8);
  prefix.writeUInt16BE(version, 8);
  const tail = Buffer.alloc(TAIL);
  tail.writeBigUInt64BE(BigInt(body.length), 0);
  tail.writeBigUInt64BE(end, 8);
  const signed = Buffer.concat([prefix, body, tail]);
  const digest = createHash('sha512').update(signed).digest();
  return Buffer.concat([signed, sign(null, Buffer.concat([LABEL, digest]), key)]);
}

const bodyOf = (file: Buffer) => file.subarray(PREFIX, file.length - SIG - TAIL);
/** Where the body length lies: a change there unframes the file. */
const inLength = (off: number, length: number) => off >= length - SIG - TAIL && off < length - SIG - TAIL + 8;

/** The error openSealed throws for these bytes (fails the test if it returns). */
function rejection(bytes: Buffer, label: string): DriftscanError {
  let result: unknown;
  try {
    result = openSealed(bytes, keys.publicKey);
  } catch (err) {
    expect(err, `${label}: ${(err as Error).message}`).toBeInstanceOf(DriftscanError);
    const e = err as DriftscanError;
    expect(e.message, label).not.toMatch(/\n/);
    return e;
  }
  throw new Error(`${label}: accepted (${(result as Baseline).entries.length} entries)`);
}

beforeAll(async () => {
  work = tempDir();
  const a = await sealedTree({});
  good = a.file;
  original = a.baseline;
  second = (await sealedTree({ 'srv/only-in-second': 'other tree' })).file;
  expect(openSealed(good, keys.publicKey).entries.length).toBe(original.entries.length);
});

describe('in-process: every damaged frame is rejected with the right error class', () => {
  /** Where a byte lies, and what a change there must produce. */
  function expectedFor(off: number): { cls: typeof DriftscanError; code: number; message: RegExp } {
    if (off < 8) return { cls: BaselineFormatError, code: 18, message: /bad magic/ };
    if (off < 10) return { cls: BaselineFormatError, code: 18, message: /format version \d+ is not supported/ };
    if (off < 16) return { cls: BaselineFormatError, code: 18, message: /unknown flags/ };
    if (inLength(off, good.length)) return { cls: BaselineFormatError, code: 18, message: /truncated|unexpected bytes/ };
    return { cls: SignatureError, code: 19, message: /signature does not verify/ };
  }

  it('a flipped bit, high bit or whole byte at every offset (magic, version, header, body, signature)', () => {
    let cases = 0;
    for (let off = 0; off < good.length; off++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = Buffer.from(good);
        bad[off]! ^= mask;
        const want = expectedFor(off);
        const err = rejection(bad, `offset ${off} ^ ${mask}`);
        expect(err, `offset ${off}`).toBeInstanceOf(want.cls);
        expect(err.exitCode).toBe(want.code);
        expect(err.message, `offset ${off}`).toMatch(want.message);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(3000);
  });

  it('truncated at every length', () => {
    for (let len = 0; len < good.length; len++) {
      const err = rejection(good.subarray(0, len), `length ${len}`);
      expect(err).toBeInstanceOf(BaselineFormatError);
      expect(err.message).toMatch(len < 8 ? /bad magic/ : /truncated/);
    }
  });

  it('bytes appended after the signature', () => {
    for (const tail of [Buffer.alloc(1), Buffer.from('\n'), Buffer.alloc(64, 0xff), good, second]) {
      const err = rejection(Buffer.concat([good, tail]), `+${tail.length}`);
      expect(err).toBeInstanceOf(BaselineFormatError);
      expect(err.message).toMatch(/unexpected bytes after the signature/);
    }
  });

  it('two valid baselines spliced: one frame with the other body or signature', () => {
    const a = bodyOf(good);
    const b = bodyOf(second);
    const splices: Array<[string, Buffer]> = [
      ['A prefix, B body, A tail and signature', Buffer.concat([good.subarray(0, PREFIX), b, good.subarray(-SIG - TAIL)])],
      ['A body, B tail and signature', Buffer.concat([good.subarray(0, PREFIX), a, second.subarray(-SIG - TAIL)])],
      ['B signed part, A signature', Buffer.concat([second.subarray(0, -SIG), good.subarray(-SIG)])],
      ['half of A body, half of B body, A tail', (() => {
        const half = Buffer.concat([a.subarray(0, a.length >> 1), b.subarray(b.length >> 1)]).subarray(0, a.length);
        return Buffer.concat([good.subarray(0, PREFIX), half, Buffer.alloc(a.length - half.length), good.subarray(-SIG - TAIL)]);
      })()],
    ];
    for (const [label, bytes] of splices) {
      const err = rejection(bytes, label);
      expect([18, 19], label).toContain(err.exitCode);
    }
  });

  it('a modified body re-signed with another key, even one claiming the operator\'s keyId', () => {
    const forged = structuredClone(original);
    forged.entries = forged.entries.filter((e) => e.path !== '/usr/bin/ls');
    forged.header.keyId = keyId(keys.publicKey);
    for (const bytes of [seal(forged, other.privateKey), frame(bodyOf(good), other.privateKey)]) {
      const err = rejection(bytes, 'other key');
      expect(err).toBeInstanceOf(SignatureError);
      expect(err.exitCode).toBe(19);
    }
  });

  it('an older or newer format version number is refused even when the signature is valid', () => {
    for (const version of [0, 1, 3, 0xffff]) {
      const err = rejection(frame(bodyOf(good), keys.privateKey, version), `version ${version}`);
      expect(err).toBeInstanceOf(BaselineFormatError);
      expect(err.message).toBe(`baseline format version ${version} is not supported (this driftscan reads 2)`);
    }
  });
});

describe('in-process: a damaged body that verifies (a forged signer, or --no-verify) never crashes later', () => {
  /** Decodes, then does what scan, show and every reporter do with it. */
  function useFully(bytes: Buffer): void {
    const b = openSealed(bytes, keys.publicKey);
    const findings = compareEntries(original.entries, b.entries);
    const report = { header: b.header, root: '/', findings, summary: summarize(findings, b.entries.length), diagnostics: [] };
    for (const reporter of Object.values(REPORTERS)) reporter(report, new PassThrough());
    for (const e of b.entries) showLine(e);
  }

  it('each body byte flipped, each body truncation, re-signed: a usable baseline or BaselineFormatError', () => {
    const body = bodyOf(good);
    let rejected = 0;
    let cases = 0;
    const attempt = (mutated: Buffer, label: string) => {
      cases++;
      try {
        useFully(frame(mutated, keys.privateKey));
      } catch (err) {
        // Anything else (TypeError, RangeError, a BigInt mix-up) would be an "internal error".
        expect(err, `${label}: ${(err as Error).stack}`).toBeInstanceOf(BaselineFormatError);
        expect((err as Error).message).not.toMatch(/\n/);
        rejected++;
      }
    };
    for (let off = 0; off < body.length; off++) {
      for (const mask of [0x01, 0xff]) {
        const m = Buffer.from(body);
        m[off]! ^= mask;
        attempt(m, `body offset ${off} ^ ${mask}`);
      }
    }
    for (let len = 0; len < body.length; len += 7) attempt(body.subarray(0, len), `body length ${len}`);
    expect(cases).toBeGreaterThan(4000);
    // The fuzz reaches the decoder's checks, not only msgpack's.
    expect(rejected).toBeGreaterThan(cases / 10);
  });
});

describe('through the CLI: one line on stderr, the documented exit code', () => {
  let pub: string;
  let otherPub: string;
  let tree: string;

  beforeAll(() => {
    pub = path.join(work, 'op.pub');
    otherPub = path.join(work, 'other.pub');
    fs.writeFileSync(pub, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    fs.writeFileSync(otherPub, other.publicKey.export({ type: 'spki', format: 'pem' }));
    tree = systemTree(tempDir());
  });

  function sample(): Array<[string, Buffer, number[]]> {
    const out: Array<[string, Buffer, number[]]> = [];
    const step = Math.floor(good.length / 12);
    for (let off = 0; off < good.length; off += step) {
      const bad = Buffer.from(good);
      bad[off]! ^= 0x20;
      out.push([`flip at ${off}`, bad, off < PREFIX || inLength(off, good.length) ? [18] : [19]]);
    }
    for (const len of [0, 5, 15, 40, good.length - SIG, good.length - 1]) out.push([`truncated to ${len}`, good.subarray(0, len), [18]]);
    out.push(['appended byte', Buffer.concat([good, Buffer.from('x')]), [18]]);
    out.push(['re-signed with another key', frame(bodyOf(good), other.privateKey), [19]]);
    out.push(['version rolled back', frame(bodyOf(good), keys.privateKey, 0), [18]]);
    out.push(['spliced', Buffer.concat([good.subarray(0, -SIG), second.subarray(-SIG)]), [18, 19]]);
    return out;
  }

  it('verify and scan reject each sample; never exit 0, never a stack trace, nothing on stdout', () => {
    const cases = sample();
    expect(cases.length).toBeGreaterThanOrEqual(20);
    cases.forEach(([label, bytes, codes], i) => {
      const file = path.join(work, `bad-${i}.dsb`);
      fs.writeFileSync(file, bytes);
      const cmd = i % 2 ? ['scan', file, '--pubkey', pub, '--root', tree, '--packages', 'none'] : ['verify', file, '--pubkey', pub];
      const r = driftscan(cmd);
      expect(codes, `${label}: ${r.stderr}`).toContain(r.code);
      expect(r.stdout, label).toBe('');
      expect(r.stderr, label).toMatch(/^driftscan: error: (not a driftscan baseline|baseline )[^\n]*\n$/);
    });
  });

  it('a baseline signed with a key the operator did not pass is rejected (--pubkey and the default key)', () => {
    const file = path.join(work, 'good.dsb');
    fs.writeFileSync(file, good);
    expect(driftscan(['verify', file, '--pubkey', pub]).code).toBe(0);
    const explicit = driftscan(['scan', file, '--pubkey', otherPub, '--root', tree]);
    expect(explicit.code).toBe(19);
    const home = path.join(work, 'home');
    fs.mkdirSync(home);
    fs.copyFileSync(otherPub, path.join(home, 'driftscan.pub'));
    const byDefault = driftscan(['scan', file, '--root', tree], { DRIFTSCAN_HOME: home });
    expect(byDefault.code).toBe(19);
    expect(byDefault.stderr).toMatch(/^driftscan: error: baseline signature does not verify[^\n]*\n$/);
  });

  it('a damaged body with --no-verify is never clean: an error, or exit bit 8', () => {
    const body = bodyOf(good);
    for (const off of [3, Math.floor(body.length / 2), body.length - 5]) {
      const m = Buffer.from(body);
      m[off]! ^= 0x01;
      const file = path.join(work, `nv-${off}.dsb`);
      fs.writeFileSync(file, frame(m, other.privateKey));
      const r = driftscan(['scan', file, '--no-verify', '--root', tree, '--packages', 'none']);
      expect(r.code, r.stderr).not.toBe(0);
      if (r.code >= 16) expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^driftscan: error: /);
      else expect(r.code & 8).toBe(8);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});

describe('the signing key', () => {
  it('a 0600 private key owned by someone else is refused: no baseline written', () => {
    const dir = path.join(work, 'foreign');
    fs.mkdirSync(dir);
    const key = path.join(dir, 'driftscan.key');
    fs.writeFileSync(key, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.chownSync(key, 65534, 65534);
    const out = path.join(work, 'foreign.dsb');
    const r = driftscan(['baseline', '/', '--root', systemTree(tempDir()), '--key', key, '-o', out, '--packages', 'none']);
    expect(r.code).toBe(21);
    expect(r.stderr).toBe(`driftscan: error: private key ${key} is owned by uid 65534, not by you\n`);
    expect(fs.existsSync(out)).toBe(false);
    // The same file owned by the caller signs.
    fs.chownSync(key, 0, 0);
    expect(driftscan(['baseline', '/', '--root', systemTree(tempDir()), '--key', key, '-o', out, '--packages', 'none']).code).toBe(0);
  });
});
