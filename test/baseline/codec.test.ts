/** Decoding errors name what is wrong without echoing damaged bytes that could break a line or a terminal. */
import { describe, expect, it } from 'vitest';
import { EntryUnpacker } from '../../src/baseline/codec-entries.js';
import { readBody } from '../../src/baseline/codec.js';
import { BaselineFormatError } from '../../src/errors.js';
import { packr } from '../../src/baseline/msgpack.js';

const caught = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};

describe('decode errors', () => {
  it('an attribute code that is text (a newline, an escape sequence) is not quoted', () => {
    const item = [0, Buffer.from('/x'), 0, ['evil\n\x1b[2Jname', 1], null, 0];
    const err = caught(() => new EntryUnpacker().next(item));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err.message).toBe('baseline entry 0 has an unknown attribute');
  });

  it('the decoder\'s own message is kept printable and on one line', () => {
    // A valid header, then a string value cut short: msgpackr's message may quote what it read.
    const header = packr.pack({ format: 1, tool: 't', host: 'h\n\x1b]0;x', created: 'c', root: '/', policy: 'p', keyId: 'k', attrs: [] });
    const body = Buffer.concat([header, packr.pack(null), packr.pack(1), Buffer.from([0xd9, 0x40]), Buffer.from('\n\x1b[31m')]);
    const err = caught(() => readBody(body).forEachEntry(() => undefined));
    expect(err).toBeInstanceOf(BaselineFormatError);
    expect(err.message).toMatch(/^baseline body cannot be decoded: /);
    expect(err.message).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });
});
