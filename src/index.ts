/**
 * The driftscan library: what the CLI is built from. Re-exports only.
 *
 *   const policy = parsePolicy(DEFAULT_POLICY);
 *   const baseline = await buildBaseline({ root: '/', policy, signingKey });
 *   writeAtomic('host.dsb', seal(baseline, signingKey)); // mode 0600 unless a third argument says
 *   const { report, exitCode } = await scan({ baselineFile: 'host.dsb', publicKey, root: '/' });
 *   REPORTERS.json(report, process.stdout);
 */
export type * from './types.js';
export * from './errors.js';
export { ATTRIBUTES, RPM_LETTERS, attrRow, type AttrRow, type RpmLetter } from './attrs/registry.js';
export { DEFAULT_POLICY } from './policy/default.js';
export { parsePolicy, policyForPaths, withFastMode, ATTR_SETS, type Policy } from './policy/policy.js';
export { takeSnapshot, type Snapshot, type SnapshotOptions } from './snapshot/snapshot.js';
export { buildBaseline, type BuildOptions } from './baseline/build.js';
export { generateKeyPair, loadPrivateKey, loadPublicKey, keyId, defaultKeyDir } from './baseline/keys.js';
export { seal, openSealed, openSealedReader, checkSignature } from './baseline/sealed.js';
export { writeAtomic, writeThrough, readBaselineFile, DEFAULT_OUTPUT_MODE } from './baseline/store.js';
export { collectPackageData, type PackageChoice } from './baseline/package-data.js';
export { scan, loadBaseline, type ScanOptions, type ScanResult } from './scan/scan.js';
export { compareEntries, compareStream, flagString } from './compare/compare.js';
export { REPORTERS, textLine, type Report, type Reporter } from './report/reporters.js';
export { summarize, exitBits, type Summary } from './report/summary.js';
export { displayPath } from './paths.js';
