/**
 * The status parser of driftscan's own dpkg verify (dpkg-status.ts), one pass
 * by index, against the per-field regular expressions it replaced (kept here
 * as the reference): the same packages, states, stems and conffiles on this
 * host's status file, on hand-made stanzas with every rule's edge, and on
 * random texts built from the tokens those rules turn on ('\r' line starts,
 * field names in any case, blank-line runs, trailing conffile flags).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStatusPackages } from '../../src/pkg/dpkg-status.js';

/** The parser as it was (dpkg-verify-plan.ts before issue 13 goal 4): the reference. */
function reference(text: string) {
  const out = [];
  for (const stanza of text.split(/\n\n+/)) {
    const field = (name: string) => new RegExp(`^${name}: *(.*)$`, 'mi').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    if (!name) continue;
    const state = (field('Status') ?? '').split(/\s+/)[2] ?? '';
    const arch = field('Architecture') ?? '';
    const stem = field('Multi-Arch') === 'same' ? `${name}:${arch}` : name;
    const conffiles: Array<{ path: string; hash: string }> = [];
    const block = /^Conffiles:[^\n]*\n((?: [^\n]*(?:\n|$))*)/m.exec(stanza)?.[1] ?? '';
    for (const line of block.split('\n')) {
      if (!line.startsWith(' ')) continue;
      const words = line.slice(1).replace(/( (obsolete|remove-on-upgrade))+$/, '');
      const cut = words.lastIndexOf(' ');
      if (cut > 0) conffiles.push({ path: words.slice(0, cut), hash: words.slice(cut + 1) });
    }
    out.push({ stem, name, state, conffiles });
  }
  return out.sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
}

const H = 'a'.repeat(32);

describe('the status file parser', () => {
  it.runIf(existsSync('/var/lib/dpkg/status'))('reads this host\'s status file as the reference does', () => {
    const text = readFileSync('/var/lib/dpkg/status', 'latin1');
    const got = parseStatusPackages(text);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(reference(text));
  });

  it('follows every rule of the reference on hand-made stanzas', () => {
    const texts = [
      // Multi-Arch: same stems, config-files and not-installed states, flags on conffiles, newconffile.
      `Package: libx\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nConffiles:\n /etc/x ${H}\n /etc/old ${H} obsolete\n /etc/gone ${H} remove-on-upgrade\n /etc/both ${H} obsolete remove-on-upgrade\n /etc/new newconffile\n\n` +
        `Package: libx\nStatus: install ok installed\nArchitecture: i386\nMulti-Arch: same\n\n\n\nPackage: cfg\nStatus: deinstall ok config-files\n\nPackage: gone\nStatus: purge ok not-installed\n`,
      // Field names in any case, spaces after the colon, values trimmed, the first of two fields.
      'PACKAGE:   spaced  \nstatus: install ok installed\nmulti-arch: Same\nPackage: second\n',
      'package: a\nStatus: install ok half-installed\nMulti-Arch:same\nArchitecture:\n',
      // '\r' starts a line for the fields, not for the conffile lines.
      'Description: x\rPackage: fromcr\rStatus: install ok installed\r\nConffiles:\n /etc/a\r b\n /etc/c d\r\n',
      'Package: p\nStatus: install ok installed\nX: y\rConffiles: z\n /etc/after-cr ' + H + '\n',
      // Conffiles on the stanza's last line, lines not starting with a space, a path with spaces, no digest.
      'Package: q\nStatus: install ok installed\nConffiles:',
      'Package: q\nStatus: install ok installed\nConffiles:\n/etc/no-space ' + H + '\n /etc/a b c ' + H + '\n',
      'Package: q\nStatus: install ok installed\nConffiles:\n nodigest\n  leading ' + H + '\n /etc/x obsolete\n',
      // Stanza separators: runs of newlines, a file starting or ending with them, none at all.
      '\n\nPackage: r\n\n\n\n\nPackage: s\nStatus: a b c d\n\n',
      '', '\n', 'Package:\nStatus: install ok installed\n', 'Conffiles:\n /x y\n',
    ];
    for (const text of texts) expect(parseStatusPackages(text), JSON.stringify(text)).toEqual(reference(text));
    // The cases really are in there.
    const first = parseStatusPackages(texts[0]!);
    expect(first.map((p) => p.stem)).toEqual(['cfg', 'gone', 'libx:amd64', 'libx:i386']);
    expect(first[2]!.conffiles.map((c) => c.path)).toEqual(['/etc/x', '/etc/old', '/etc/gone', '/etc/both', '/etc/new']);
    expect(parseStatusPackages(texts[3]!).map((p) => p.name)).toEqual(['fromcr']);
  });

  it('agrees with the reference on random texts made of the tokens its rules turn on', () => {
    // Whole lines mostly (so stanzas and conffile blocks form), with noise tokens between them.
    const lines = [
      'Package: a\n', 'package:b \n', 'PACKAGE:\n', 'Status: install ok installed\n', 'Status: deinstall ok config-files\n',
      'Architecture: amd64\n', 'Multi-Arch: same\n', 'multi-arch: same\r\n', 'Conffiles:\n', 'conffiles:\n', 'Conffiles: x\n',
      ` /etc/f ${H}\n`, ` /etc/f g ${H} obsolete\n`, ` /etc/f ${H} remove-on-upgrade obsolete\n`, ' /etc/n newconffile\n',
      ' /etc/o obsolete\n', ' solo\n', '\n', '\n\n', 'Description: d\n', ' more\n',
    ];
    const noise = ['\r', '\r\n', ' ', ':', 'Package: c', 'Conffiles:', ' obsolete', '\t', '\xa0', '\xe9', 'x y'];
    let seed = 42;
    let packages = 0;
    let conffiles = 0;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let round = 0; round < 3000; round++) {
      let text = '';
      for (let k = rand(30); k > 0; k--) text += rand(5) === 0 ? noise[rand(noise.length)] : lines[rand(lines.length)];
      const got = parseStatusPackages(text);
      expect(got, JSON.stringify(text)).toEqual(reference(text));
      packages += got.length;
      conffiles += got.reduce((n, p) => n + p.conffiles.length, 0);
    }
    // Not a comparison of empty results.
    expect(packages).toBeGreaterThan(500);
    expect(conffiles).toBeGreaterThan(50);
  });
});
