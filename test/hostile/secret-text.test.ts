/**
 * Secrets in files whose text the default policy keeps: a 0600 systemd unit
 * with a password, a 0640 sudoers. Their text is kept only when everyone on
 * the host may read the file; otherwise the baseline and every report hold
 * digests and a marker, and the report says the text was not kept.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { at, systemTree, tempDir } from '../helpers/tree.js';
import { driftscan, keyedCli, type KeyedCli } from '../helpers/cli.js';

let tree: string;
let keys: KeyedCli;
let file: string;

const UNIT = 'etc/systemd/system/db.service';

beforeAll(() => {
  keys = keyedCli();
  tree = systemTree(tempDir(), {
    [UNIT]: '[Service]\nEnvironment=DB_PASSWORD=hunter2-old\n',
    'etc/sudoers': 'root ALL=(ALL) ALL\nbackup ALL=NOPASSWD: /usr/bin/rsync # secret-rule-old\n',
    'etc/fstab': '/dev/sda1 / ext4 defaults 0 1\n',
    'etc/cron.d/job': '* * * * * root /usr/bin/curl -u admin:cronpass-old http://x\n',
  });
  fs.chmodSync(at(tree, UNIT), 0o600);
  fs.chmodSync(at(tree, 'etc/sudoers'), 0o440);
  fs.chmodSync(at(tree, 'etc/cron.d/job'), 0o640);
  const r = keys.baseline(tree, ['--packages', 'none']);
  expect(r.code, r.stderr).toBe(0);
  file = r.out;
});

describe('text of files others may not read', () => {
  it('is not in the baseline; the text of a world-readable file is', () => {
    const raw = fs.readFileSync(file);
    for (const secret of ['hunter2-old', 'secret-rule-old', 'cronpass-old']) expect(raw.includes(secret), secret).toBe(false);
    expect(raw.includes('/dev/sda1 / ext4 defaults')).toBe(true);
    const shown = driftscan(['show', file, '/' + UNIT, '--pubkey', keys.pub]).stdout;
    expect(shown).not.toContain('hunter2');
  });

  it('a change shows as changed content with "text not kept: not world-readable", never the text', () => {
    fs.writeFileSync(at(tree, UNIT), '[Service]\nEnvironment=DB_PASSWORD=hunter2-new\n');
    fs.writeFileSync(at(tree, 'etc/sudoers'), 'root ALL=(ALL) ALL\nbackup ALL=NOPASSWD: ALL # secret-rule-new\n');
    fs.writeFileSync(at(tree, 'etc/fstab'), '/dev/sda1 / ext4 defaults 0 1\n/dev/sdb1 /mnt ext4 defaults 0 2\n');
    const text = keys.scan(file, tree, ['--packages', 'none']);
    expect(text.code, text.stderr).toBe(4);
    const lines = text.stdout.split('\n');
    const unit = lines.findIndex((l) => l.endsWith(`/${UNIT}  ctime content`));
    expect(lines.slice(unit, unit + 2)).toEqual([`..5....T.  c /${UNIT}  ctime content`, '    text not kept: not world-readable']);
    const sudoers = lines.findIndex((l) => l.endsWith('/etc/sudoers  ctime content'));
    expect(lines[sudoers + 1]).toBe('    text not kept: not world-readable');
    expect(text.stdout).toContain('    +/dev/sdb1 /mnt ext4 defaults 0 2\n');
    for (const format of ['text', 'json', 'ndjson']) {
      const out = keys.scan(file, tree, ['--packages', 'none', '--format', format]).stdout;
      for (const secret of ['hunter2', 'secret-rule', 'cronpass']) expect(out, `${format} ${secret}`).not.toContain(secret);
    }
    const doc = JSON.parse(keys.scan(file, tree, ['--packages', 'none', '--format', 'json']).stdout);
    const f = doc.findings.find((x: { path: string }) => x.path === '/' + UNIT);
    expect(f.details).toEqual({ content: 'text not kept: not world-readable' });
    expect(f.deltas).toContainEqual({ attr: 'content', old: '(not kept: not world-readable)', new: '(not kept: not world-readable)' });
  });

  it('a file made readable by everyone after the baseline gets no diff of its old text', () => {
    fs.chmodSync(at(tree, 'etc/cron.d/job'), 0o644);
    const out = keys.scan(file, tree, ['--packages', 'none']).stdout;
    expect(out).toMatch(/^\.M\.\.\.\.\.\.\.  c \/etc\/cron\.d\/job  ctime content\n {4}text not kept: not world-readable$/m);
    expect(out).not.toContain('cronpass');
  });
});
