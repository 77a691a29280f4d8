/**
 * The package data read straight from its bytes (rows-reader.ts) gives what was written, for every
 * msgpack length form the writer (msgpackr) may choose, skips what a newer writer appends, and
 * calls anything else malformed, never a crash.
 */
import { describe, expect, it } from 'vitest';
import { packPackages, unpackPackages } from '../../src/baseline/codec-packages.js';
import { packr } from '../../src/baseline/msgpack.js';
import { BaselineFormatError } from '../../src/errors.js';
import type { PackageData } from '../../src/types.js';

const bytes = (v: unknown) => Buffer.from(packr.pack(v));
const roundTrip = (p: PackageData | undefined) => unpackPackages(bytes(packPackages(p)));
const hex = (n: number, c: string) => c.repeat(n * 2);

function malformed(buf: Buffer): void {
  let err: unknown;
  try {
    unpackPackages(buf);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BaselineFormatError);
  expect((err as Error).message).toBe('baseline package data is malformed');
}

/** A dpkg host's data with every length form: fixstr/str8/str16, bin8/bin16, fixarray/array16. */
function sample(): PackageData {
  const p: PackageData = { manager: 'dpkg', packages: [], files: {}, dbFiles: {}, contentMd5: {} };
  for (let i = 0; i < 40; i++) p.packages.push({ name: `pkg${i}`, version: `1.${i}-${'x'.repeat(i * 7)}`, arch: i % 2 ? 'amd64' : 'all' });
  p.packages.push({ name: 'n'.repeat(300), version: 'é-ユ', arch: '' });
  const long = '/usr/share/' + 'd'.repeat(300);
  const paths = ['/usr/bin/a', '/opt/caf\xe9', '/x\xff\n\x1b[2J', long, ...Array.from({ length: 20 }, (_, i) => `/usr/lib/f${i}`)];
  paths.forEach((path, i) => {
    p.files[path] = i % 3 === 0 ? { pkg: `pkg${i}` } : { pkg: `pkg${i}:amd64`, digest: hex(16, String(i % 10)), algo: 'md5' };
    if (i % 3 !== 0) p.contentMd5![path] = { sha256: hex(32, 'a'), md5: hex(16, String(i % 10)) };
  });
  p.dbFiles['/var/lib/dpkg/status'] = hex(32, 'b');
  p.dbFiles['/var/lib/dpkg/info/caf\xe9.list'] = hex(32, 'c');
  return p;
}

describe('package data from its bytes', () => {
  it('gives back what was written, every length form included', () => {
    const p = sample();
    expect(roundTrip(p)).toEqual(p);
    const rpm: PackageData = {
      manager: 'rpm', packages: [{ name: 'bash', version: '5.2-1.el9', arch: 'x86_64' }],
      files: { '/usr/bin/bash': { pkg: 'bash', digest: hex(32, 'e'), algo: 'sha256' }, '/etc/skel': { pkg: 'bash' } }, dbFiles: {},
    };
    expect(roundTrip(rpm)).toEqual(rpm);
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it('reads older and newer layouts: no dbFiles, nil dbFiles or md5s, elements appended after the md5s', () => {
    const p = sample();
    const packed = packPackages(p) as unknown[];
    expect(unpackPackages(bytes(packed.slice(0, 3)))).toEqual({ ...p, dbFiles: {}, contentMd5: undefined });
    expect(unpackPackages(bytes([...packed.slice(0, 3), null, null]))).toEqual({ ...p, dbFiles: {}, contentMd5: undefined });
    const later = [...packed, { k: [1, -1, 2 ** 40, -(2 ** 40), 1.5, true, false, null, 'text', Buffer.alloc(300)] }, [[['deep']]], 'x'.repeat(70000)];
    expect(unpackPackages(bytes(later))).toEqual(p);
    // A nesting no recursion would survive: counted, not recursed into.
    const nested = Buffer.alloc(200000, 0x91); // [[[[...]]]]
    nested[nested.length - 1] = 0xc0;
    const withDeep = Buffer.concat([Buffer.from([0x96]), bytes(packed.slice(0, 4)).subarray(1), Buffer.from([0xc0]), nested]);
    expect(unpackPackages(withDeep)).toEqual({ ...p, contentMd5: undefined });
  });

  it('calls anything else malformed', () => {
    const p = sample();
    const packed = packPackages(p) as unknown[];
    const good = bytes(packed);
    malformed(good.subarray(0, good.length - 1)); // cut short
    malformed(Buffer.concat([good, Buffer.from([0xc0])])); // a byte after it
    malformed(bytes(['yum', ...packed.slice(1)]));
    malformed(bytes(packed.slice(0, 2)));
    malformed(bytes([packed[0], [['a', 'b']], ...packed.slice(2)])); // a package row of two
    malformed(bytes([...packed.slice(0, 2), [['/usr/bin/a', 'pkg', null, null]], ...packed.slice(3)])); // a path as str, not bin
    malformed(bytes([...packed.slice(0, 2), [[Buffer.from('/a'), 7, null, null]], ...packed.slice(3)])); // an owner as a number
    malformed(bytes([...packed.slice(0, 4), [[Buffer.from('/a'), Buffer.alloc(31), Buffer.alloc(16)]]])); // a short sha256
    malformed(bytes([...packed.slice(0, 4), [[Buffer.from('/a'), Buffer.alloc(32), 'md5']]]));
    malformed(Buffer.concat([Buffer.from([0x96]), good.subarray(1), Buffer.from([0xc1])])); // a never-used type byte appended
    malformed(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])); // an array longer than the bytes
  });
});
