import { describe, expect, it } from 'vitest';
import { diffPackages } from '../../src/pkg/index.js';

const pkg = (name: string, version: string, arch = 'x86_64') => ({ name, version, arch });

describe('diffPackages', () => {
  it('finds installed, removed and upgraded packages, sorted by name', () => {
    const before = [pkg('zlib', '1.2-1'), pkg('bash', '5.1-2'), pkg('gone', '1-1')];
    const after = [pkg('bash', '5.2-1'), pkg('zlib', '1.2-1'), pkg('new', '0.1-1'), pkg('aaa', '1-1')];
    expect(diffPackages(before, after)).toEqual({
      installed: [pkg('aaa', '1-1'), pkg('new', '0.1-1')],
      removed: [pkg('gone', '1-1')],
      upgraded: [{ name: 'bash', arch: 'x86_64', from: '5.1-2', to: '5.2-1' }],
    });
  });

  it('reports nothing for the same set in another order', () => {
    const list = [pkg('a', '1'), pkg('b', '2'), pkg('b', '2', 'i686')];
    expect(diffPackages(list, [...list].reverse())).toEqual({ installed: [], removed: [], upgraded: [] });
  });

  it('tells arches apart (multilib) and counts an epoch change as a version change', () => {
    const before = [pkg('glibc', '2.34-1', 'x86_64'), pkg('glibc', '2.34-1', 'i686')];
    const after = [pkg('glibc', '1:2.34-1', 'x86_64'), pkg('glibc', '2.34-1', 'i686')];
    expect(diffPackages(before, after)).toEqual({
      installed: [],
      removed: [],
      upgraded: [{ name: 'glibc', arch: 'x86_64', from: '2.34-1', to: '1:2.34-1' }],
    });
  });

  it('handles several installed versions of one package (kernels)', () => {
    const before = [pkg('kernel', '5.14-1'), pkg('kernel', '5.14-2')];
    const after = [pkg('kernel', '5.14-2'), pkg('kernel', '5.14-3'), pkg('kernel', '5.14-4')];
    expect(diffPackages(before, after)).toEqual({
      installed: [pkg('kernel', '5.14-4')],
      removed: [],
      upgraded: [{ name: 'kernel', arch: 'x86_64', from: '5.14-1', to: '5.14-3' }],
    });
  });
});
