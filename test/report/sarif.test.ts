/**
 * --format sarif on a real patch day: valid against the published SARIF 2.1.0
 * schema (test/fixtures/sarif-schema-2.1.0.json, from oasis-tcs/sarif-spec),
 * one result per unexplained finding and none for explained ones, file URIs
 * that give back the exact path bytes, fingerprints stable across scans.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { bytesOf, jsonFindings, patchDay, type JsonFinding, type PatchDay } from './patch-day-fixture.js';
import { rawPath } from '../helpers/tree.js';

const SCHEMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sarif-schema-2.1.0.json');

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
  partialFingerprints: Record<string, string>;
  properties: JsonFinding;
}

/** The bytes a file URI names: each %XX one byte, everything else as it stands. */
function uriBytes(uri: string): string {
  expect(uri.startsWith('file:///')).toBe(true);
  return uri.slice('file://'.length).replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

describe('sarif', () => {
  let day: PatchDay;
  let log: { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: SarifResult[] }> };
  let findings: JsonFinding[];

  beforeAll(() => {
    day = patchDay();
    const r = day.scan('--format', 'sarif');
    expect(r.code, r.stderr).toBe(1 | 4);
    log = JSON.parse(r.stdout);
    findings = jsonFindings(day);
  });

  it('is valid SARIF 2.1.0 by the published schema', () => {
    const validate = validator();
    expect(validate(log), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(log.version).toBe('2.1.0');
  });

  it('the schema check is real: a result without a message, or a bad level, is refused', () => {
    const validate = validator();
    const broken = structuredClone(log);
    delete (broken.runs[0]!.results[0] as Partial<SarifResult>).message;
    expect(validate(broken)).toBe(false);
    const badLevel = structuredClone(log);
    badLevel.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(badLevel)).toBe(false);
  });

  it('one result per unexplained finding, none for explained or preexisting ones', () => {
    const unexplained = findings.filter((f) => f.triage === 'unexplained');
    expect(findings.some((f) => f.triage === 'explained')).toBe(true);
    const results = log.runs[0]!.results;
    expect(results.map((r) => r.properties.path).sort()).toEqual(unexplained.map((f) => f.path).sort());
    expect(results.map((r) => r.properties.path)).toContain('/etc/passwd');
    expect(results.map((r) => r.properties.path)).not.toContain('/usr/bin/hello');
  });

  it('rule ids are the finding classes, indexed into the driver\'s rules', () => {
    const rules = log.runs[0]!.tool.driver.rules.map((r) => r.id);
    for (const r of log.runs[0]!.results) {
      expect(rules[r.ruleIndex]).toBe(r.ruleId);
      expect(r.ruleId).toBe(r.properties.source === 'baseline' ? r.properties.status : `package-${r.properties.status}`);
      expect(r.level).toBe(r.properties.status === 'untested' ? 'warning' : 'error');
    }
  });

  it('locations are file URIs that give back the exact path bytes of escape-worthy names', () => {
    const evil = log.runs[0]!.results.find((r) => r.properties.status === 'added' && r.properties.path.startsWith('/usr/bin/ev'))!;
    const uri = evil.locations[0]!.physicalLocation.artifactLocation.uri;
    expect(uri).toBe('file:///usr/bin/ev%1B%5B2Kil%0Adone%20%FF%2520');
    expect(uriBytes(uri)).toBe(rawPath('/usr/bin/ev\\x1b[2Kil\ndone \\xff%20').toString('latin1'));
    for (const r of log.runs[0]!.results) expect(uriBytes(r.locations[0]!.physicalLocation.artifactLocation.uri)).toBe(bytesOf(r.properties));
    expect(evil.message.text).toBe('added       /usr/bin/ev\\x1b[2Kil\\ndone \\xff%20  changed at ' +
      evil.message.text.split('changed at ')[1]);
  });

  it('fingerprints: the same drift gives the same fingerprint in a later scan; different findings differ', () => {
    const first = log.runs[0]!.results.map((r) => [r.properties.path, r.partialFingerprints['driftscanFinding/v1']]);
    // Later: the passwd change grows and is touched again (new times, new digest), the flags stay.
    fs.appendFileSync(path.join(day.root, 'etc/passwd'), 'more:x:0:0::/root:/bin/sh\n');
    const again = JSON.parse(day.scan('--format', 'sarif').stdout).runs[0].results as SarifResult[];
    expect(again.map((r) => [r.properties.path, r.partialFingerprints['driftscanFinding/v1']])).toEqual(first);
    expect(new Set(first.map(([, fp]) => fp)).size).toBe(first.length);
    for (const [, fp] of first) expect(fp).toMatch(/^[0-9a-f]{64}$/);
  });
});
