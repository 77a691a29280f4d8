/**
 * Real trees in temp dirs, built from inline objects. Values:
 *   'text' or Buffer        a regular file
 *   { dir: true }           a directory
 *   { symlink: 'target' }   a symlink
 *   { fifo: true }          a FIFO (mkfifo)
 *   { chardev: [maj, min] } a device node (mknod, needs root)
 *   { link: 'other/path' }  a hard link to another entry of the tree
 * Keys are paths relative to the tree; Buffer keys are not possible, so a key
 * may hold \xNN escapes (`bad\xffname`) for raw bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export type Node =
  | string
  | Buffer
  | { dir: true }
  | { symlink: string }
  | { fifo: true }
  | { chardev: [number, number] }
  | { blockdev: [number, number] }
  | { link: string };

export function rawPath(p: string): Buffer {
  return Buffer.from(p.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

/** A new directory under the system temp dir, mode 0755 (rpm may drop to a user namespace: keep it traversable). */
export function tempDir(prefix = 'driftscan-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A path relative to root as written in a tree spec ("etc/x", `\xNN` escapes for raw bytes), as fs path bytes. */
export function at(root: string, rel: string): Buffer {
  return Buffer.concat([Buffer.from(root + '/', 'utf8'), rawPath(rel)]);
}

/**
 * A root-relative BytePath as driftscan and the package tools give it
 * ("/usr/bin/x", latin1: one char per byte, no escapes), under base, as fs path bytes.
 */
export function underRoot(base: string, bytePath: string): Buffer {
  return Buffer.concat([Buffer.from(base), Buffer.from(bytePath, 'latin1')]);
}

export function makeTree(root: string, spec: Record<string, Node>): string {
  for (const [rel, node] of Object.entries(spec)) {
    const p = at(root, rel);
    fs.mkdirSync(path.dirname(p.toString('latin1')).length ? parentOf(p) : root, { recursive: true });
    if (typeof node === 'string' || Buffer.isBuffer(node)) fs.writeFileSync(p, node);
    else if ('dir' in node) fs.mkdirSync(p, { recursive: true });
    else if ('symlink' in node) fs.symlinkSync(rawPath(node.symlink), p);
    else if ('fifo' in node) execFileSync('mkfifo', [p.toString('latin1')]);
    else if ('chardev' in node) mknod(p, 'c', node.chardev);
    else if ('blockdev' in node) mknod(p, 'b', node.blockdev);
    else if ('link' in node) fs.linkSync(at(root, node.link), p);
  }
  return root;
}

function parentOf(p: Buffer): Buffer {
  const i = p.lastIndexOf(0x2f);
  return p.subarray(0, i);
}

function mknod(p: Buffer, type: 'c' | 'b', [major, minor]: [number, number]): void {
  execFileSync('mknod', [p.toString('latin1'), type, String(major), String(minor)]);
}

/** A minimal root with its own passwd and group, so names resolve from the tree. */
export function systemTree(root: string, extra: Record<string, Node> = {}): string {
  return makeTree(root, {
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\nalice:x:1500:1500::/home/alice:/bin/sh\n',
    'etc/group': 'root:x:0:\ndaemon:x:1:\nalice:x:1500:\n',
    'etc/ssh/sshd_config': 'PermitRootLogin no\n',
    'usr/bin/ls': 'ls binary v1\n',
    'usr/bin/ps': 'ps binary v1\n',
    ...extra,
  });
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}
