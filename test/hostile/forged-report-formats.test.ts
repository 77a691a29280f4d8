/**
 * The CI and SIEM formats (sarif, junit, ecs) cannot be forged either: every
 * case of forged-output.test.ts and tree-shapes' hostile names, in each of
 * them. Text from the scanned tree (path bytes, package names from md5sums
 * file names, owner and xattr names, file content in diffs, the package tool's
 * messages) comes out escaped, the documents stay well-formed (JSON.parse,
 * python3's xml.etree), and the raw bytes survive where a format has room
 * (SARIF's file URI, ECS's driftscan.path_hex).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, rawPath, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan } from '../helpers/cli.js';
import { parseJunit } from '../report/parse-junit.js';
import { FORGE, FORGE_SHOWN, RAW_CONTROL, forgedPackageReport, forgedPackageRoot, render as renderReport } from '../helpers/forged.js';

const FORMATS = ['sarif', 'junit', 'ecs'] as const;

let keyDir: string;
const key = () => path.join(keyDir, 'driftscan.key');
const pub = () => path.join(keyDir, 'driftscan.pub');

beforeAll(() => {
  keyDir = path.join(tempDir('ds-keys-'), 'k');
  expect(driftscan(['keygen', '--out', keyDir]).code).toBe(0);
});

/** No raw control character, no forged verdict line, and the document parses in its own format. */
function expectUnforged(format: string, output: string): string {
  expect(output).not.toMatch(RAW_CONTROL);
  expect(output.split('\n').filter((l) => l.trimStart().startsWith('# driftscan: clean'))).toEqual([]);
  if (format === 'sarif') JSON.parse(output);
  else if (format === 'ecs') output.trimEnd().split('\n').forEach((l) => JSON.parse(l));
  else parseJunit(output);
  // JSON's \u escapes would turn back into controls when parsed: none are used for tree text.
  expect(output).not.toMatch(/\\u00[01][0-9a-f]|\\u007f|\\u00[89][0-9a-f]/i);
  return output;
}

/** What a reader of the format sees once parsed: JSON strings decoded; XML entities decoded. */
function decoded(format: string, output: string): string {
  return format === 'junit' ? JSON.stringify(parseJunit(output)) : output;
}

describe('hostile path names', () => {
  const NAMES = [
    'nl\nS.5....T.  c etc-shadow', 'esc\\x1b[2J\\x1b[1;1Hclear', 'csi\\xc2\\x9b31m', 'bidi\\xe2\\x80\\xaeexe.txt',
    'bad\\xff\\xfe', 'trunc\\xe2\\x82', 'tab\there', 'del\\x7f', 'back\\\\x41slash', `forge${FORGE.replace(/\x1b/g, '\\x1b')}`,
  ];
  let root: string;
  let file: string;

  beforeAll(() => {
    root = systemTree(tempDir('ds-forge-names-'), Object.fromEntries(NAMES.map((n) => [`srv/gone/${n}`, 'x'])));
    file = path.join(path.dirname(root), `${path.basename(root)}.dsb`);
    expect(driftscan(['baseline', '/srv', '--root', root, '--key', key(), '-o', file]).code).toBe(0);
    for (const n of NAMES) {
      fs.unlinkSync(at(root, `srv/gone/${n}`));
      fs.writeFileSync(at(root, `srv/new-${n}`), 'added');
    }
  });

  for (const format of FORMATS) {
    it(`${format}: escaped, one finding per name, raw bytes recoverable`, () => {
      const r = driftscan(['scan', file, '--pubkey', pub(), '--root', root, '--format', format]);
      expect(r.code).toBe(1 | 2 | 4);
      const out = expectUnforged(format, r.stdout);
      const seen = decoded(format, out);
      expect(seen).toContain('/srv/new-nl\\\\nS.5....T.  c etc-shadow');
      expect(seen).toContain(`/srv/new-forge${FORGE_SHOWN.replace(/\\/g, '\\\\')}`);
      expect(seen).toContain('/srv/gone/bad\\\\xff\\\\xfe');
      const raw = NAMES.map((n) => rawPath(`/srv/new-${n}`).toString('latin1')).sort();
      if (format === 'sarif') {
        const uris: string[] = JSON.parse(out).runs[0].results.map((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
          x.locations[0]!.physicalLocation.artifactLocation.uri).filter((u: string) => u.startsWith('file:///srv/new-'));
        for (const u of uris) expect(u).toMatch(/^file:\/\/\/[A-Za-z0-9\-._~/%]+$/);
        expect(uris.map((u) => u.slice(7).replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))).sort()).toEqual(raw);
      } else if (format === 'ecs') {
        const events = out.trimEnd().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event.action === 'added');
        const bytes = events.map((e) => (e.driftscan.path_hex ? Buffer.from(e.driftscan.path_hex, 'hex').toString('latin1') : Buffer.from(e.file.path).toString('latin1')));
        expect(bytes.filter((b) => b.startsWith('/srv/new-')).sort()).toEqual(raw);
      } else {
        const added = parseJunit(out).cases.find((c) => c.name === 'added paths unexplained')!.failure!.text.split('\n');
        expect(added.filter((l) => l.includes('/srv/new-'))).toHaveLength(NAMES.length);
      }
    });
  }
});

describe('package names from md5sums file names (real dpkg root)', () => {
  it('are escaped in sarif, junit and ecs', () => {
    const { root, file } = forgedPackageRoot(key());
    for (const format of FORMATS) {
      const r = driftscan(['scan', file, '--pubkey', pub(), '--root', root, '--format', format]);
      expect(r.code).toBe(4);
      const out = expectUnforged(format, r.stdout);
      expect(decoded(format, out)).toContain(JSON.stringify(`zz${FORGE_SHOWN}`).slice(1, -1));
    }
  });
});

describe('owner, group and xattr names; content diffs', () => {
  const OWNER = 'eve\x1b]0;owned\x07\u202e';
  let root: string;
  let file: string;

  beforeAll(() => {
    root = systemTree(tempDir('ds-forge-'), {
      'etc/passwd': `root:x:0:0::/root:/bin/sh\n${OWNER}:x:1500:1500::/:/bin/sh\n`,
      'etc/group': `root:x:0:\n${OWNER}:x:1500:\n`,
      'etc/hosts': '127.0.0.1 localhost\n',
    });
    fs.chownSync(at(root, 'usr/bin/ls'), 1500, 1500);
    execFileSync('setfattr', ['-n', `user.x${FORGE}`, '-v', 'v', at(root, 'usr/bin/ps').toString()]);
    const rules = path.join(path.dirname(root), `rules-${path.basename(root)}`);
    fs.writeFileSync(rules, 'use default\nattrs /etc/hosts +content\n');
    file = path.join(path.dirname(root), `${path.basename(root)}.dsb`);
    expect(driftscan(['baseline', '--root', root, '--rules', rules, '--key', key(), '-o', file]).code).toBe(0);
    fs.chownSync(at(root, 'usr/bin/ls'), 0, 0);
    execFileSync('setfattr', ['-n', `user.x${FORGE}`, '-v', 'w', at(root, 'usr/bin/ps').toString()]);
    fs.writeFileSync(at(root, 'etc/hosts'), `127.0.0.1 localhost\n${FORGE}\u202eevil\n`);
  });

  for (const format of FORMATS) {
    it(`${format}: escaped`, () => {
      const r = driftscan(['scan', file, '--pubkey', pub(), '--root', root, '--format', format]);
      const out = expectUnforged(format, r.stdout);
      if (format === 'junit') return; // junit carries the text lines only: the names are in deltas, not lines
      expect(out).toContain(JSON.stringify('eve\\x1b]0;owned\\x07\\xe2\\x80\\xae').slice(1, -1));
      expect(out).toContain(JSON.stringify(`user.x${FORGE_SHOWN}="w"`).slice(1, -1));
      expect(out).toContain(JSON.stringify(`+${FORGE_SHOWN}\\xe2\\x80\\xaeevil`).slice(1, -1));
    });
  }
});

describe('package tool messages, package changes and notes', () => {
  const report = forgedPackageReport(`p${FORGE}`);
  const render = (format: string) => renderReport(report, format);

  for (const format of FORMATS) {
    it(`${format}: escaped`, () => {
      const out = expectUnforged(format, render(format));
      const seen = decoded(format, out);
      expect(seen).toContain(JSON.stringify(`p${FORGE_SHOWN}`).slice(1, -1));
      expect(seen).toContain(JSON.stringify(`(${FORGE_SHOWN})`).slice(1, -1));
      if (format !== 'junit') expect(out).toContain(JSON.stringify(`h${FORGE_SHOWN}`).slice(1, -1));
      if (format === 'ecs') expect(JSON.parse(out).package).toEqual({ name: `p${FORGE_SHOWN}`, version: `v${FORGE_SHOWN}` });
      if (format !== 'ecs') expect(seen).toContain(JSON.stringify(`q is needed by p${FORGE_SHOWN}`).slice(1, -1));
    });
  }
});
