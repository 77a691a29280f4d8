/**
 * The json and ndjson reports. JSON escapes control characters, but not C1
 * codes or bidi overrides, and shows latin1 byte strings as mojibake: every
 * text from the scanned tree is escaped here as in the text report.
 */
import { createHash } from 'node:crypto';
import type { AttrDelta, BaselineHeader, Evidence, Finding } from '../types.js';
import type { PackageChanges } from '../pkg/index.js';
import { displayPath, isUtf8 } from '../paths.js';
import { escapeBytes, escapeLines, escapeText, escapeUnicode, neutralize } from './escape.js';
import type { Reporter } from './reporters.js';

/** Delta values are already as their attribute rows print them (escaped where they come from the tree). */
function deltaJson(d: AttrDelta): AttrDelta {
  const value = (v: unknown) => (typeof v === 'string' ? neutralize(v) : v);
  return { attr: neutralize(d.attr), old: value(d.old), new: value(d.new) };
}

/** The package operation and rule that explain a finding; times as ISO text (null: the logs do not say). */
function evidenceJson(ev: Evidence): Record<string, unknown> {
  const o = ev.operation;
  const e = (v: string | null) => (v === null ? null : escapeBytes(v));
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t * 1000).toISOString());
  return {
    operation: { kind: o.kind, name: escapeBytes(o.name), arch: escapeBytes(o.arch), from: e(o.from), to: e(o.to), start: iso(o.start), end: iso(o.end) },
    rule: ev.rule,
    detail: escapeText(ev.detail),
  };
}

/** A finding as JSON: the path as escaped text, plus its raw bytes in hex when they are not UTF-8. */
export function findingJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = { path: displayPath(f.path) };
  if (!isUtf8(f.path) || displayPath(f.path) !== Buffer.from(f.path, 'latin1').toString('utf8')) {
    out.path_hex = Buffer.from(f.path, 'latin1').toString('hex');
  }
  out.status = f.status;
  out.source = f.source;
  if (f.flags !== undefined) out.flags = escapeBytes(f.flags);
  out.marker = f.marker ? escapeBytes(f.marker) : ' ';
  if (f.kind) out.kind = f.kind;
  out.deltas = f.deltas.map(deltaJson);
  out.extra = f.extra.map(escapeText);
  out.untested = Object.fromEntries(Object.entries(f.untested).map(([k, v]) => [escapeText(k), escapeText(v)]));
  if (f.package !== undefined) out.package = escapeBytes(f.package);
  if (f.triage !== undefined) out.triage = f.triage;
  if (f.evidence !== undefined) out.evidence = evidenceJson(f.evidence);
  if (f.reason !== undefined) out.reason = escapeText(f.reason);
  if (f.note !== undefined) out.note = escapeText(f.note);
  if (f.outsidePolicy) out.outside_policy = true;
  if (f.untrusted !== undefined) out.untrusted = f.untrusted;
  if (f.state !== undefined) out.state_sha256 = f.state;
  if (f.details !== undefined) {
    out.details = Object.fromEntries(Object.entries(f.details).map(([k, v]) => [k, escapeLines(v, escapeUnicode)]));
  }
  return out;
}

function headerJson(h: BaselineHeader): Record<string, unknown> {
  const { policy: _policy, unlisted, growing, ...rest } = h;
  const out: Record<string, unknown> = { ...rest, host: escapeUnicode(h.host), unlisted: unlisted.map(displayPath) };
  if (growing) out.growing = growing.map(([path, size]) => [displayPath(path), size]);
  return out;
}

function changesJson(c: PackageChanges | undefined): unknown {
  if (!c) return null;
  const e = escapeBytes;
  return {
    installed: c.installed.map((p) => ({ name: e(p.name), version: e(p.version), arch: e(p.arch) })),
    removed: c.removed.map((p) => ({ name: e(p.name), version: e(p.version), arch: e(p.arch) })),
    upgraded: c.upgraded.map((p) => ({ name: e(p.name), arch: e(p.arch), from: e(p.from), to: e(p.to) })),
  };
}

/**
 * What `update` takes a report for: the baseline it is of (sha256 of the file),
 * and a checksum of the root and findings that catches a report edited by hand
 * (a mistake, not an attacker: whoever can edit the report can recompute it).
 */
export function reportBinding(baselineSha256: string, root: string, findings: unknown[]): Record<string, string> {
  const checksum = createHash('sha256').update(JSON.stringify({ baseline_sha256: baselineSha256, root, findings })).digest('hex');
  return { baseline_sha256: baselineSha256, findings_sha256: checksum };
}

export const jsonReporter: Reporter = (report, out) => {
  const findings = report.findings.map(findingJson);
  const doc = {
    baseline: headerJson(report.header),
    ...(report.baselineDigest ? { binding: reportBinding(report.baselineDigest, report.root, findings) } : {}),
    root: report.root,
    summary: report.summary,
    packages: report.packageManager ? { manager: report.packageManager, changes: changesJson(report.packageChanges) } : null,
    diagnostics: report.diagnostics.map((d) => escapeLines(d)),
    findings,
  };
  out.write(JSON.stringify(doc, null, 2) + '\n');
};

export const ndjsonReporter: Reporter = (report, out) => {
  for (const f of report.findings) out.write(JSON.stringify(findingJson(f)) + '\n');
};
