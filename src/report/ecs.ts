/**
 * NDJSON in Elastic Common Schema field names, one event per finding, so
 * Filebeat, Vector or Fluent Bit ship it to Elasticsearch/OpenSearch as it is.
 * A finding records what differs, not the whole entry: `file.*` holds the
 * current value of each attribute that changed (the baseline's value is in
 * `driftscan.deltas`); everything else driftscan knows is under `driftscan.*`.
 */
import type { Finding } from '../types.js';
import type { PackageChanges } from '../pkg/index.js';
import { displayPath } from '../paths.js';
import { escapeBytes, escapeUnicode, neutralize } from './escape.js';
import { findingJson } from './json.js';
import { findingClass, fingerprint, isUnexplained } from './finding-class.js';
import type { Report, Reporter } from './reporters.js';

export const ECS_VERSION = '8.11.0';

const EVENT_TYPE: Record<Finding['status'], string> = {
  changed: 'change', missing: 'deletion', added: 'creation', untested: 'info',
};

/** Attribute name -> ECS file field, with the value as ECS types it (ids are keywords). */
const FILE_FIELDS: Record<string, [string, (v: unknown) => unknown]> = {
  mode: ['mode', String],
  uid: ['uid', String],
  gid: ['gid', String],
  owner: ['owner', String],
  group: ['group', String],
  size: ['size', Number],
  mtime: ['mtime', String],
  ctime: ['ctime', String],
  inode: ['inode', String],
  target: ['target_path', String],
  sha256: ['hash.sha256', String],
};

/** Current values of the attributes that changed (missing paths have none left). */
function fileFields(f: Finding): Record<string, unknown> {
  const file: Record<string, unknown> = { path: displayPath(f.path) };
  if (f.kind) file.type = f.kind;
  if (f.status === 'missing') return file;
  for (const d of f.deltas) {
    const field = FILE_FIELDS[d.attr];
    if (!field || d.new === null || d.new === undefined) continue;
    const value = field[1](typeof d.new === 'string' ? neutralize(d.new) : d.new);
    const [head, tail] = field[0].split('.');
    if (tail) file[head!] = { ...(file[head!] as object), [tail]: value };
    else file[head!] = value;
  }
  return file;
}

/** The version an operation left (or removed), else the one the package changes list. */
function packageVersion(f: Finding, changes: PackageChanges | undefined): string | undefined {
  const op = f.evidence?.operation;
  if (op) return op.to ?? op.from ?? undefined;
  const installed = changes?.installed.find((p) => p.name === f.package);
  if (installed) return installed.version;
  return changes?.upgraded.find((p) => p.name === f.package)?.to;
}

export function ecsEvent(f: Finding, report: Report, timestamp: string): Record<string, unknown> {
  const unexplained = isUnexplained(f);
  const { path: _path, ...details } = findingJson(f);
  const event: Record<string, unknown> = {
    '@timestamp': timestamp,
    ecs: { version: ECS_VERSION },
    event: {
      kind: unexplained ? 'alert' : 'event',
      category: ['file'],
      type: [EVENT_TYPE[f.status]],
      action: findingClass(f),
      outcome: f.status === 'untested' ? 'unknown' : 'success',
      module: 'driftscan',
      dataset: 'driftscan.finding',
      ...(f.reason ? { reason: (details as { reason: string }).reason } : {}),
    },
    file: fileFields(f),
    host: { name: escapeUnicode(report.header.host) },
    driftscan: { ...details, fingerprint: fingerprint(f), root: displayPath(report.root), baseline_key_id: report.header.keyId },
  };
  if (f.package !== undefined && f.package !== 'unowned') {
    const version = packageVersion(f, report.packageChanges);
    event.package = { name: escapeBytes(f.package), ...(version !== undefined ? { version: escapeBytes(version) } : {}) };
  }
  return event;
}

export const ecsReporter: Reporter = (report, out) => {
  const timestamp = report.time ?? new Date().toISOString();
  for (const f of report.findings) out.write(JSON.stringify(ecsEvent(f, report, timestamp)) + '\n');
};
