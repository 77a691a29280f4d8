/**
 * What only a person at a terminal gets: the progress line on standard error
 * and colour on standard output. Never on a pipe or a file.
 */
import type { WalkTotals } from '../index.js';

function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

interface Progress {
  entries: number;
  files: number;
  bytes: number;
}

/** m:ss or h:mm:ss. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return (hms[0] ? [hms[0], String(hms[1]).padStart(2, '0')] : [hms[1]]).join(':') + ':' + String(hms[2]).padStart(2, '0');
}

/**
 * The progress text. With totals (the baseline's entries and file bytes), a
 * percentage and the time left: bytes measure the hashing that dominates a
 * walk; a tree of empty files is measured by entries. Never 100 % before the
 * end (the tree may have grown), no estimate before a second has passed.
 */
export function progressText(label: string, p: Progress, elapsedMs: number, totals?: WalkTotals): string {
  const rate = p.bytes / Math.max(0.001, elapsedMs / 1000);
  let text = `${label}: ${p.entries} entries, ${p.files} files, ${humanBytes(p.bytes)} hashed (${humanBytes(rate)}/s)`;
  if (!totals || (totals.bytes === 0 && totals.entries === 0)) return text;
  const fraction = Math.min(0.99, totals.bytes > 0 ? p.bytes / totals.bytes : p.entries / totals.entries);
  text = `${label}: ${Math.floor(fraction * 100)}%, ` + text.slice(label.length + 2);
  if (elapsedMs >= 1000 && fraction >= 0.01) text += `, about ${clock((elapsedMs / 1000) * (1 - fraction) / fraction)} left`;
  return text;
}

/** A one-line progress display on stderr when it is a terminal; silent otherwise. */
export function progressLine(label: string): {
  update(p: Progress): void;
  /** What the walk should come to: from the baseline being scanned, or an earlier one (--previous). */
  setTotals(t: WalkTotals): void;
  /** True when the line is shown at all (totals are worth computing only then). */
  shown: boolean;
  done(): void;
} {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let last = 0;
  let totals: WalkTotals | undefined;
  return {
    shown: tty,
    setTotals(t) {
      totals = t;
    },
    update(p) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      process.stderr.write(`\r\x1b[K${progressText(label, p, now - started, totals)}`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

/** Colour only for a person: standard output a terminal, NO_COLOR unset (any value counts), no --no-color. */
export function wantColour(flag: boolean, toStdout: boolean): boolean {
  return flag && toStdout && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
}
