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

  const errors: Array<[string, RegExp]> = [
    ['include /\nattrs /** -colour\n', /^r:2: unknown attribute 'colour'/],
    ['include /\nfrobnicate /x\n', /^r:2: unknown directive 'frobnicate'/],
    ['include relative/path\n', /^r:1: include needs an absolute path/],
    ['include /\nexclude /a[b\n', /^r:2: unclosed \[ in glob/],
    ['include /\nexclude\n', /^r:2: exclude takes exactly one path or glob/],
    ['include /\nuse default\n', /^r:2: 'use default' must come before other directives/],
    ['exclude /proc\n', /^r: no include directive/],
    ['include /\nconfig etc/*\n', /^r:2: config etc\/\* can never match: a pattern must be an absolute path/],
  ];
  for (const [text, message] of errors) {
    it(`error: ${message.source}`, () => {
      expect(() => parsePolicy(text, 'r')).toThrow(PolicyError);
      expect(() => parsePolicy(text, 'r')).toThrow(message);
    });
  }
});
