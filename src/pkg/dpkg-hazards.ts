/**
 * Packaged files dpkg must not be left to read. `dpkg --verify --root=R` opens
 * R/path through the kernel, which follows symlinks against the scanning
 * host's own `/`: a packaged file turned into a link to /proc/kmsg makes it
 * read the host's kernel log until the timeout, and a link to /usr/bin/x
 * verifies the host's file, not the image's. A FIFO or a device makes it
 * hang, a directory makes it abort. A package with any such path is left out
 * of dpkg's run and checked by driftscan inside the root (check-in-root.ts).
 */
import type { BytePath } from '../types.js';
import type { ToolView } from './check-in-root.js';
import { inPseudoFs, type Resolved } from './resolve-in-root.js';

/** The kernel, given R/path, reaches the same regular file as chroot semantics (or reports it missing), outside /proc, /sys, /dev. */
function safeForDpkg(r: Resolved): boolean {
  if (!r.ok) return r.code === 'ENOENT' && !r.divergent;
  return !r.divergent && r.kind === 'file' && !inPseudoFs(r.path);
}

export function dpkgView(conffiles: Map<BytePath, unknown>): ToolView {
  return { source: 'dpkg', followLast: true, safe: safeForDpkg, isConffile: (p) => conffiles.has(p) };
}
