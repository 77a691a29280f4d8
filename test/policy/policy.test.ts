/** Rules files: directives, globs, attribute sets, and errors that name the line. */
import { describe, expect, it } from 'vitest';
import { parsePolicy, policyForPaths, withFastMode } from '../../src/policy/policy.js';
import { globToRegExp } from '../../src/policy/glob.js';
import { DEFAULT_POLICY } from '../../src/policy/default.js';
import { PolicyError } from '../../src/errors.js';

describe('globs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/etc/*', '/etc/passwd', true],
    ['/etc/*', '/etc/ssh/sshd_config', false],
    ['/etc/**', '/etc/ssh/sshd_config', true],
    ['/usr/**/__pycache__', '/usr/lib/python3/__pycache__', true],
    ['/usr/**/__pycache__', '/usr/__pycache__', true],
    ['/var/log/*.log', '/var/log/syslog.log', true],
    ['/var/log/?.log', '/var/log/ab.log', false],
    ['/dev/tty[0-9]', '/dev/tty7', true],
    ['/dev/tty[!0-9]', '/dev/tty7', false],
    ['/a.b', '/axb', false],
  ];
  for (const [glob, path, match] of cases) {
    it(`${glob} ${match ? 'matches' : 'does not match'} ${path}`, () => {
      expect(globToRegExp(glob).test(path)).toBe(match);
    });
  }
});

describe('rules', () => {
  it('the default policy walks system trees and skips virtual ones', () => {
    const p = parsePolicy(DEFAULT_POLICY);
    expect(p.includes).toEqual(expect.arrayContaining(['/usr', '/etc', '/boot', '/bin', '/var/log/wtmp']));
    expect(p.isExcluded('/proc')).toBe(true);
    expect(p.isExcluded('/usr/bin')).toBe(false);
    expect(p.isConfig('/etc/ssh/sshd_config')).toBe(true);
    expect(p.isGrowing('/var/log/wtmp')).toBe(true);
    expect(p.attrsFor('/usr/bin/ls', 'file')).toEqual([
      'type', 'mode', 'size', 'sha256', 'xxh64', 'uid', 'owner', 'gid', 'group', 'mtime', 'caps', 'xattrs', 'ctime', 'inode', 'nlink',
    ]);
    expect(p.attrsFor('/usr/bin/sh', 'symlink')).toEqual(['type', 'target', 'uid', 'owner', 'gid', 'group', 'mtime', 'xattrs', 'ctime', 'inode', 'nlink']);
  });

  it('attrs rules apply in order: -NAME, +NAME and sets', () => {
    const p = parsePolicy('include /\nattrs /var/** none +size +mode\nattrs /var/lib/** -mode\n');
    expect(p.attrsFor('/var/x', 'file')).toEqual(['type', 'mode', 'size']);
    expect(p.attrsFor('/var/lib/x', 'file')).toEqual(['type', 'size']);
    expect(p.attrsFor('/etc/x', 'file')).toContain('sha256');
  });

  it('--fast drops SHA-256 everywhere', () => {
    const p = parsePolicy(withFastMode(DEFAULT_POLICY));
    expect(p.attrsFor('/usr/bin/ls', 'file')).toContain('xxh64');
    expect(p.attrsFor('/usr/bin/ls', 'file')).not.toContain('sha256');
  });

  it('use default extends the default policy', () => {
    const p = parsePolicy('use default\ninclude /srv\nexclude /usr/share/doc\n', 'site.rules');
    expect(p.includes).toEqual(expect.arrayContaining(['/usr', '/srv']));
    expect(p.isExcluded('/usr/share/doc')).toBe(true);
    expect(p.isExcluded('/proc')).toBe(true);
  });

  it('command-line paths replace the includes and keep the rest', () => {
    const p = parsePolicy(policyForPaths(['/srv', '/usr/bin']));
    expect(p.includes).toEqual(['/srv', '/usr/bin']);
    expect(p.isConfig('/etc/hosts')).toBe(true);
  });

  it('nested includes are walked once', () => {
    expect(parsePolicy('include /usr\ninclude /usr/bin\ninclude /etc\n').includes).toEqual(['/etc', '/usr']);
  });

  it('an include wins over the excludes: named start paths, and nested ones below an exclude, are walked', () => {
    const p = parsePolicy(policyForPaths(['/dev', '/home/alice']));
    expect(p.includes).toEqual(['/dev', '/home/alice']);
    expect(p.covers('/dev/.hidden')).toBe(true);
    expect(p.covers('/home/alice/x')).toBe(true);
    const nested = parsePolicy('include /usr\nexclude /usr/share\ninclude /usr/share/doc\ninclude /usr/bin\n');
    expect(nested.includes).toEqual(['/usr', '/usr/share/doc']);
    expect(nested.covers('/usr/share/doc/x')).toBe(true);
    expect(nested.covers('/usr/share/man/x')).toBe(false);
  });

  it('include-if-present is a start path whose absence is not worth a warning', () => {
    const p = parsePolicy('include /usr\ninclude-if-present /opt\n', 'r');
    expect(p.includes).toEqual(['/opt', '/usr']);
    expect(p.starts).toEqual([
      { path: '/usr', optional: false, line: 'r:1' },
      { path: '/opt', optional: true, line: 'r:2' },
    ]);
    expect(parsePolicy(policyForPaths(['/srv'])).includes).toEqual(['/srv']);
  });

  it('patterns are normalised: trailing and doubled slashes', () => {
    const p = parsePolicy('include /srv//app/\nexclude /srv/app/doc/\nconfig /srv//app/etc/*\n');
    expect(p.includes).toEqual(['/srv/app']);
    expect(p.isExcluded('/srv/app/doc')).toBe(true);
    expect(p.isConfig('/srv/app/etc/x.conf')).toBe(true);
  });

  it('"use default" in a comment is not the directive: the stored text parses to the same policy', () => {
    const p = parsePolicy('# use default is below\nuse default\ninclude /srv # not use default\n', 'r');
    const again = parsePolicy(p.text, 'baseline policy');
    expect(again.text).toBe(p.text);
    expect(again.includes).toEqual(p.includes);
    expect(again.includes).toContain('/srv');
  });

  const errors: Array<[string, RegExp]> = [
    ['include /\nattrs /** -colour\n', /^r:2: unknown attribute 'colour'/],
    ['include /\nfrobnicate /x\n', /^r:2: unknown directive 'frobnicate'/],
    ['include relative/path\n', /^r:1: include needs an absolute path/],
    ['include /\nexclude /a[b\n', /^r:2: unclosed \[ in glob/],
    ['include /\nexclude\n', /^r:2: exclude takes exactly one path or glob/],
    ['include /\nuse default\n', /^r:2: 'use default' must come before other directives/],
    ['exclude /proc\n', /^r: no include directive/],
    ['include /srv/*\n', /^r:1: include takes a literal path, not a glob: \/srv\/\*/],
    ['include /\nexclude *.log\n', /^r:2: exclude \*\.log can never match: .* \(did you mean \/\*\*\/\*\.log\?\)$/],
    ['include /\nexclude /a/../b\n', /^r:2: exclude \/a\/\.\.\/b can never match/],
    ['include /\nconfig etc/*\n', /^r:2: config etc\/\* can never match: a pattern must be an absolute path/],
  ];
  for (const [text, message] of errors) {
    it(`error: ${message.source}`, () => {
      expect(() => parsePolicy(text, 'r')).toThrow(PolicyError);
      expect(() => parsePolicy(text, 'r')).toThrow(message);
    });
  }
});
