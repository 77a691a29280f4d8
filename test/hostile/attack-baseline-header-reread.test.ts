/**
 * A baseline's header holds its policy (what the scan walks and compares),
 * and a policy may be up to a MiB of text: the header can then be longer
 * than the first chunk the verify pass keeps, and is read again from the
 * file after the signature was checked. Whoever can write the file (and
 * watch its reads, inotify IN_ACCESS) may put other bytes there for that one
 * read only, and the verified bytes back for every other read. The header
 * decoded must be the one verified: such a header is checked again before
 * it is used (show --header prints it without reading any entry), and the
 * entries' own check starts from the bytes it was decoded from.
 */
import { describe, expect, it } from 'vitest';
import { keys } from '../helpers/lib.js';
import { openSource } from '../../src/baseline/reader.js';
import { seal } from '../../src/baseline/sealed.js';
import { CHUNK, PREFIX_BYTES } from '../../src/baseline/format.js';
import type { ByteSource } from '../../src/baseline/source.js';
import { BaselineFormatError } from '../../src/errors.js';
import type { Baseline } from '../../src/types.js';

const RULE = '/etc/ssh/sshd_config';

/** A baseline whose stored policy is longer than the reader's first chunk. */
function bigHeaderBaseline(): Buffer {
  const padding = `# ${'x'.repeat(CHUNK + 4096)}\n`;
  const baseline: Baseline = {
    header: {
      format: 2, tool: 'driftscan', host: 'h', created: '2024-01-01T00:00:00.000Z', root: '/',
      policy: `${padding}include ${RULE}\n`, attrs: ['size'], keyId: 'k', unlisted: [], growing: [],
    },
    entries: [{ path: RULE, kind: 'file', attrs: { size: 1 } }],
  };
  return seal(baseline, keys.privateKey);
}

/** A file that gives `other` to one read of the header only, and `bytes` to every other read. */
class HeaderSwapSource implements ByteSource {
  readonly stable = false;
  swapped = 0;
  constructor(private readonly bytes: Buffer, private readonly other: Buffer) {}
  get size(): number {
    return this.bytes.length;
  }
  read(pos: number, length: number): Buffer {
    const from = pos === PREFIX_BYTES && length > CHUNK ? (this.swapped++, this.other) : this.bytes;
    return Buffer.from(from.subarray(pos, pos + length));
  }
}

describe('a header longer than the first chunk, other bytes given to its second read', () => {
  it('is refused when the file is opened, before the header is used', () => {
    const bytes = bigHeaderBaseline();
    const other = Buffer.from(bytes);
    const at = other.indexOf(`include ${RULE}`, 0, 'latin1');
    expect(at).toBeGreaterThan(CHUNK);
    other.write('exclude', at, 'latin1');
    const src = new HeaderSwapSource(bytes, other);
    let err: unknown;
    try {
      const reader = openSource(src, keys.publicKey, false);
      expect(reader.header.policy).toMatch(`include ${RULE}`);
    } catch (e) {
      err = e;
    }
    expect(src.swapped).toBe(1);
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect((err as Error).message).toBe('baseline changed while it was read (its header is not the one verified)');
  });

  it('read unchanged, the same file opens with its policy and entry', () => {
    const bytes = bigHeaderBaseline();
    const reader = openSource(new HeaderSwapSource(bytes, bytes), keys.publicKey, false);
    const entries: string[] = [];
    reader.forEachEntry((e) => entries.push(e.path));
    expect(entries).toEqual([RULE]);
    expect(reader.header.policy.endsWith(`include ${RULE}\n`)).toBe(true);
  });
});
