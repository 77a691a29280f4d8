import { describe, expect, it } from 'vitest';
import { parseRpmQuery } from '../../src/pkg/rpm-query.js';
import { shellWords } from '../../src/pkg/shell-words.js';

describe('shellWords (rpm :shescape output)', () => {
  it('keeps spaces, tabs, newlines and quotes inside quoted words', () => {
    expect(shellWords(`'a b' 'c\td' 'e\nf' 'it'\\''s' 8 ''\n`)).toEqual(['a b', 'c\td', 'e\nf', "it's", '8', '']);
  });

  it('rejects an unterminated quote', () => {
    expect(() => shellWords("'open")).toThrow(/unterminated/);
  });
});

describe('parseRpmQuery', () => {
  it('reads packages and files, algorithms by number, the first owner whose digest is on disk', () => {
    const out = [
      "P 'filesystem' '3.16-2' 'x86_64'",
      "F 'filesystem' 8 0 '' '/usr'",
      "P 'bash' '5.2.15-3' 'x86_64'",
      "F 'bash' 8 0 'ABCD' '/usr/bin/bash'",
      "F 'bash' 8 0 '' '/usr'",
      "F 'bash' 8 0 '0123' '/usr/share/a file\nwith newline'",
      "F 'bash' 8 1 'dead' '/opt/shared'",
      "F 'other' 8 0 'beef' '/opt/shared'",
      "P 'old' '1-1' 'noarch'",
      "F 'old' '(none)' 0 'ff' '/opt/old'",
      "P 'gpg-pubkey' 'abc-1' '(none)'",
      '',
    ].join('\n');
    expect(parseRpmQuery(out)).toEqual({
      packages: [
        { name: 'filesystem', version: '3.16-2', arch: 'x86_64' },
        { name: 'bash', version: '5.2.15-3', arch: 'x86_64' },
        { name: 'old', version: '1-1', arch: 'noarch' },
        { name: 'gpg-pubkey', version: 'abc-1', arch: '(none)' },
      ],
      files: {
        '/usr': { pkg: 'filesystem' },
        '/usr/bin/bash': { pkg: 'bash', digest: 'abcd', algo: 'sha256' },
        '/usr/share/a file\nwith newline': { pkg: 'bash', digest: '0123', algo: 'sha256' },
        '/opt/shared': { pkg: 'other', digest: 'beef', algo: 'sha256' },
        '/opt/old': { pkg: 'old', digest: 'ff', algo: 'md5' },
      },
    });
  });

  it('rejects output it does not understand', () => {
    expect(() => parseRpmQuery('garbage here\n')).toThrow(/unexpected word/);
  });
});
