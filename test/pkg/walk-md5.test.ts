/**
 * The scan's side of the recorded md5s: asked in walk order, a recorded file
 * gets its sha256 asked for, and its md5 is known only when the walk read the
 * recorded sha256 (the same content), whatever order the paths come in.
 */
import { describe, expect, it } from 'vitest';
import { walkMd5 } from '../../src/pkg/md5-record.js';

const sha = (c: string) => c.repeat(64);
const md5 = (c: string) => c.repeat(32);

describe('walkMd5', () => {
  it('asks recorded files only, and knows an md5 only for the recorded content', () => {
    const recorded = {
      '/usr/bin/a': { sha256: sha('a'), md5: md5('1') },
      '/usr/bin/a-x': { sha256: sha('b'), md5: md5('2') },
      '/usr/bin/a/b': { sha256: sha('c'), md5: md5('3') },
      '/usr/lib/\xe9': { sha256: sha('d'), md5: md5('4') },
    };
    const { extraDigests, source } = walkMd5(recorded);
    const walk = ['/usr/bin/a', '/usr/bin/a-x', '/usr/bin/a.d', '/usr/bin/a/b', '/usr/lib/x', '/usr/lib/\xe9'];
    expect(walk.map((p) => extraDigests!.algosFor(p))).toEqual([['sha256'], ['sha256'], undefined, ['sha256'], undefined, ['sha256']]);
    extraDigests!.take('/usr/bin/a', { sha256: sha('a') });
    extraDigests!.take('/usr/bin/a-x', { sha256: sha('e') }); // changed since the baseline
    extraDigests!.take('/usr/lib/\xe9', { sha256: sha('d') });
    // Out of walk order (another start path): looked up, not missed.
    expect(extraDigests!.algosFor('/usr/bin/a/b')).toEqual(['sha256']);
    expect(extraDigests!.algosFor('/usr/bin/zz')).toBeUndefined();
    expect(['/usr/bin/a', '/usr/bin/a-x', '/usr/bin/a/b', '/usr/lib/\xe9', '/usr/lib/x'].map((p) => source!.known(p)))
      .toEqual([md5('1'), undefined, undefined, md5('4'), undefined]);
  });

  it('takes recorded paths that do not come sorted', () => {
    const recorded = { '/b': { sha256: sha('b'), md5: md5('b') }, '/a': { sha256: sha('a'), md5: md5('a') } };
    const { extraDigests } = walkMd5(recorded);
    expect(['/a', '/b'].map((p) => extraDigests!.algosFor(p))).toEqual([['sha256'], ['sha256']]);
  });
});
