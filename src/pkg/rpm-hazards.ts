/**
 * Packaged files rpm must not be left to read. rpm chroots into the root's
 * read-only view, so it resolves paths inside the root already, and it reads
 * only what lstat calls a regular file (a FIFO or device is reported, not
 * opened). What is left: on a live root the view holds the host's real /proc,
 * /sys and /dev, and a packaged path whose directory was turned into a link
 * there (/usr/lib/x -> /proc) would have rpm read /proc/kmsg. Such a package
 * is left out of rpm's run and checked by driftscan (check-in-root.ts).
 */
import type { ToolView } from './check-in-root.js';
import { inPseudoFs, type Resolved } from './resolve-in-root.js';

function safeForRpm(r: Resolved): boolean {
  return !(r.ok && r.kind === 'file' && inPseudoFs(r.path));
}

export const RPM_VIEW: ToolView = { source: 'rpm', followLast: false, safe: safeForRpm };
