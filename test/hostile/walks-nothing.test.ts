/**
 * Start paths and includes that walk nothing: a default exclude named on the
 * command line, an include with a typo, a glob, a policy that finds nothing at
 * all. None may give a baseline that scans clean forever.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keyedCli, type KeyedCli } from '../helpers/cli.js';

let cli: KeyedCli;
let work: string;
let keys: { key: string; pub: string };

beforeAll(() => {
  cli = keyedCli();
  ({ work } = cli);
  keys = cli;
});

const baseline = (tree: string, args: string[], out?: string) => cli.baseline(tree, args, out);
const scan = (file: string, tree: string, format = 'text') => cli.scan(file, tree, ['--format', format, '--packages', 'none']);

describe('an explicit start path wins over the default excludes', () => {
  for (const dir of ['dev', 'home', 'tmp']) {
    it(`baseline --root R /${dir} walks /${dir}, and a scan sees a file hidden there`, () => {
      const tree = systemTree(tempDir(), { [`${dir}/.x/kit`]: 'rootkit v1\n' });
      const b = baseline(tree, [`/${dir}`]);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stderr).toMatch(new RegExp(`wrote ${b.out}: 3 entries\\n$`));
      fs.writeFileSync(at(tree, `${dir}/.x/kit`), 'rootkit v2\n');
      fs.writeFileSync(at(tree, `${dir}/.x/more`), 'new\n');
      const s = scan(b.out, tree);
      expect(s.code, s.stderr).toBe(1 | 4);
      expect(s.stdout).toContain(`added       /${dir}/.x/more\n`);
      expect(s.stdout).toMatch(new RegExp(`^\\.\\.5\\.\\.\\.\\.T\\.    /${dir}/\\.x/kit  ctime$`, 'm'));
    });
  }

  it('an include inside an excluded directory is walked too', () => {
    const tree = systemTree(tempDir(), { 'usr/share/doc/x/README': 'doc\n', 'usr/share/man/ls.1': 'man\n' });
    const rules = path.join(work, 'nested.rules');
    fs.writeFileSync(rules, 'include /usr\nexclude /usr/share\ninclude /usr/share/doc\n');
    const b = baseline(tree, ['--rules', rules]);
    expect(b.code, b.stderr).toBe(0);
    const paths = driftscan(['show', b.out, '--pubkey', keys.pub]).stdout;
    expect(paths).toContain('/usr/share/doc/x/README');
    expect(paths).not.toContain('/usr/share/man');
  });
});

describe('an include that is not there', () => {
  let tree: string;
  let rules: string;
  let file: string;

  beforeAll(() => {
    tree = systemTree(tempDir(), { 'srv/app/conf': 'port 80\n' });
    rules = path.join(work, 'typo.rules');
    fs.writeFileSync(rules, 'use default\ninclude /srv/ap\n');
  });

  it('policy --check warns with the file and line, against --root', () => {
    const r = driftscan(['policy', '--check', rules, '--root', tree]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`driftscan: warning: ${rules}:2: include /srv/ap does not exist under ${tree}\n`);
  });

  it('is a warning at baseline time, recorded in the baseline', () => {
    const b = baseline(tree, ['--rules', rules]);
    file = b.out;
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: include /srv/ap does not exist: nothing walked there; recorded, and every scan will say so\n');
  });

  it('every scan says it was not looked at, in text and json', () => {
    const s = scan(file, tree);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('# not looked at: include /srv/ap does not exist when the baseline was taken');
    const doc = JSON.parse(scan(file, tree, 'json').stdout);
    expect(doc.diagnostics).toContainEqual(expect.stringMatching(/^not looked at: include \/srv\/ap does not exist/));
  });

  it('once it exists, its entries are added', () => {
    fs.mkdirSync(at(tree, 'srv/ap'));
    fs.writeFileSync(at(tree, 'srv/ap/implant'), 'x\n');
    const s = scan(file, tree);
    expect(s.code, s.stderr).toBe(1);
    expect(s.stdout).toContain('added       /srv/ap\nadded       /srv/ap/implant\n');
  });
});

describe('includes that cannot walk anything are refused', () => {
  it('an include with a glob: exit 22 naming the file and line, nothing written', () => {
    const tree = systemTree(tempDir(), { 'srv/a/conf/x': '1\n' });
    const rules = path.join(work, 'glob.rules');
    fs.writeFileSync(rules, 'include /etc\ninclude /srv/*/conf\n');
    const b = baseline(tree, ['--rules', rules]);
    expect(b.code).toBe(22);
    expect(b.stderr).toBe(`driftscan: error: ${rules}:2: include takes a literal path, not a glob: /srv/*/conf (include its parent and narrow it with exclude)\n`);
    expect(fs.existsSync(b.out)).toBe(false);
    expect(driftscan(['policy', '--check', rules]).code).toBe(22);
  });

  it('a baseline with no entries: exit 20, one line, nothing written', () => {
    const tree = systemTree(tempDir());
    const rules = path.join(work, 'nothing.rules');
    fs.writeFileSync(rules, 'include /srv/missing\ninclude /opt/gone\n');
    const b = baseline(tree, ['--rules', rules]);
    expect(b.code).toBe(20);
    expect(b.stderr.split('\n').filter((l) => l.startsWith('driftscan: error:'))).toEqual([
      `driftscan: error: nothing to walk under ${tree}: /opt/gone does not exist, /srv/missing does not exist; no baseline written`,
    ]);
    expect(b.stderr).not.toMatch(/wrote|at .*\.js/);
    expect(fs.existsSync(b.out)).toBe(false);
  });

  it('a typo in an include nested in another include is reported too', () => {
    const tree = systemTree(tempDir(), { 'srv/app/conf': 'port 80\n' });
    const rules = path.join(work, 'nested-typo.rules');
    fs.writeFileSync(rules, 'include /srv\ninclude /srv/ap\n');
    expect(driftscan(['policy', '--check', rules, '--root', tree]).stderr).toBe(
      `driftscan: warning: ${rules}:2: include /srv/ap does not exist under ${tree}\n`);
    const b = baseline(tree, ['--rules', rules]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: include /srv/ap does not exist: nothing walked there');
    expect(scan(b.out, tree).stdout).toContain('# not looked at: include /srv/ap does not exist when the baseline was taken');
  });

  it('an include below a symlinked directory is reported, not silently skipped', () => {
    const tree = systemTree(tempDir(), { 'usr/lib/mods/m.ko': 'ko\n', lib: { symlink: 'usr/lib' } });
    const rules = path.join(work, 'via-link.rules');
    fs.writeFileSync(rules, 'include /usr/bin\ninclude /lib/mods\n');
    const b = baseline(tree, ['--rules', rules]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('driftscan: warning: include /lib/mods cannot be reached (ENOTDIR: /lib is a symlink)');
  });
});
