/**
 * The only importer of xxhash-wasm. Before the hasher is trusted, the module
 * it loads is checked against wasm/manifest.json (its SHA-256, and known
 * answers): a swapped node_modules must not forge "unchanged" digests.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import xxhash from 'xxhash-wasm';

export interface Xxh64 {
  oneShot(data: Uint8Array): string;
  stream(): { update(data: Uint8Array): void; digest(): string };
}

interface Manifest {
  package: string;
  version: string;
  module: string;
  sha256: string;
  vectors: Array<{ input: string; xxh64: string }>;
}


export function manifestPath(): string {
  return fileURLToPath(new URL('../../wasm/manifest.json', import.meta.url));
}

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

/** Throws when the installed hasher is not the one the manifest names. */
export function checkHasherModule(manifest: Manifest): void {
  // The file the ESM import below will really load, not a guess at its layout.
  const loaded = fileURLToPath(import.meta.resolve('xxhash-wasm'));
  const pkgDir = path.dirname(path.dirname(loaded)) + '/';
  if (path.relative(pkgDir, loaded) !== manifest.module) {
    throw new Error(`xxhash-wasm loads ${loaded}, manifest names ${manifest.module}`);
  }
  const version = (JSON.parse(fs.readFileSync(pkgDir + 'package.json', 'utf8')) as { version: string }).version;
  if (version !== manifest.version) {
    throw new Error(`xxhash-wasm ${version} installed, manifest expects ${manifest.version}`);
  }
  const digest = createHash('sha256').update(fs.readFileSync(pkgDir + manifest.module)).digest('hex');
  if (digest !== manifest.sha256) {
    throw new Error(`xxhash-wasm module ${manifest.module} has SHA-256 ${digest}, manifest expects ${manifest.sha256}`);
  }
}

export async function loadXxh64(): Promise<Xxh64> {
  const manifest = JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as Manifest;
  checkHasherModule(manifest);
  const api = await xxhash();
  const hasher: Xxh64 = {
    oneShot: (data) => hex64(api.h64Raw(data)),
    stream() {
      const state = api.create64();
      return { update: (d) => void state.update(d), digest: () => hex64(state.digest()) };
    },
  };
  for (const v of manifest.vectors) {
    const got = hasher.oneShot(Buffer.from(v.input, 'utf8'));
    if (got !== v.xxh64) throw new Error(`xxh64 known-answer test failed for ${JSON.stringify(v.input)}: ${got}`);
  }
  return hasher;
}
