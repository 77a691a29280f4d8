/**
 * The only user of xxhash-wasm. It instantiates the package's own compiled
 * kernel (`workerd/xxhash.wasm`, byte for byte the module its JS wrapper
 * embeds) rather than calling the wrapper, because the wrapper copies every
 * input into the module's memory first: on /usr that copy cost as much CPU as
 * the hashing. Here the hash worker reads files straight into a buffer that
 * lives in the module's memory, and both digests are taken from it in place.
 *
 * Before the kernel is trusted it is checked against wasm/manifest.json (its
 * SHA-256, and known answers): a swapped node_modules must not forge
 * "unchanged" digests.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Xxh64Stream {
  /** Adds buffer[0, length) of the hasher's buffer. */
  updateFromBuffer(length: number): void;
  digest(): string;
}

export interface Xxh64 {
  /** The read buffer, inside the module's memory: hashing it copies nothing. */
  readonly buffer: Buffer;
  /** xxh64 of buffer[0, length). */
  ofBuffer(length: number): string;
  /** At most STREAMS streams may be open at once; digest() closes one. */
  stream(): Xxh64Stream;
  /** xxh64 of any bytes (copied through the buffer). */
  oneShot(data: Uint8Array): string;
}

interface Manifest {
  package: string;
  version: string;
  module: string;
  sha256: string;
  vectors: Array<{ input: string; xxh64: string }>;
}

interface Kernel {
  mem: WebAssembly.Memory;
  xxh64(ptr: number, length: number, seed: bigint): bigint;
  init64(state: number, seed: bigint): void;
  update64(state: number, ptr: number, length: number): void;
  digest64(state: number): bigint;
}

/** The module's XXH64 state is 88 bytes; each stream gets a slot of this size. */
const STATE_BYTES = 128;
const STREAMS = 4;
const BUFFER_AT = STATE_BYTES * STREAMS;
const READ_BUFFER_BYTES = 1 << 18;
const PAGE = 65536;

export function manifestPath(): string {
  return fileURLToPath(new URL('../../wasm/manifest.json', import.meta.url));
}

function hex64(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** The package's directory, found the way Node resolves its import. */
function packageDir(): string {
  const entry = fileURLToPath(import.meta.resolve('xxhash-wasm'));
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir + '/';
    if (dir === path.dirname(dir)) throw new Error(`xxhash-wasm: no package.json above ${entry}`);
  }
}

/** The kernel's bytes, once they match what the manifest names; throws otherwise. */
export function checkHasherModule(manifest: Manifest): Buffer {
  const pkgDir = packageDir();
  const version = (JSON.parse(fs.readFileSync(pkgDir + 'package.json', 'utf8')) as { version: string }).version;
  if (version !== manifest.version) {
    throw new Error(`xxhash-wasm ${version} installed, manifest expects ${manifest.version}`);
  }
  const bytes = fs.readFileSync(pkgDir + manifest.module);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== manifest.sha256) {
    throw new Error(`xxhash-wasm module ${manifest.module} has SHA-256 ${digest}, manifest expects ${manifest.sha256}`);
  }
  return bytes;
}

function bind(kernel: Kernel): Xxh64 {
  const needed = BUFFER_AT + READ_BUFFER_BYTES;
  if (kernel.mem.buffer.byteLength < needed) kernel.mem.grow(Math.ceil((needed - kernel.mem.buffer.byteLength) / PAGE));
  // The memory never grows again, so this view never detaches.
  const buffer = Buffer.from(kernel.mem.buffer, BUFFER_AT, READ_BUFFER_BYTES);
  const states = new Uint8Array(kernel.mem.buffer, 0, BUFFER_AT);
  const free = Array.from({ length: STREAMS }, (_, i) => i * STATE_BYTES);
  const xxh: Xxh64 = {
    buffer,
    ofBuffer: (length) => hex64(kernel.xxh64(BUFFER_AT, length, 0n)),
    stream() {
      const state = free.pop();
      if (state === undefined) throw new Error(`more than ${STREAMS} xxh64 streams open`);
      // init64 sets only the accumulators: the length and the pending bytes must start at zero.
      states.fill(0, state, state + STATE_BYTES);
      kernel.init64(state, 0n);
      return {
        updateFromBuffer: (length) => kernel.update64(state, BUFFER_AT, length),
        digest() {
          free.push(state);
          return hex64(kernel.digest64(state));
        },
      };
    },
    oneShot(data) {
      if (data.length <= buffer.length) {
        buffer.set(data);
        return xxh.ofBuffer(data.length);
      }
      const s = xxh.stream();
      for (let at = 0; at < data.length; at += buffer.length) {
        const part = data.subarray(at, at + buffer.length);
        buffer.set(part);
        s.updateFromBuffer(part.length);
      }
      return s.digest();
    },
  };
  return xxh;
}

export async function loadXxh64(): Promise<Xxh64> {
  const manifest = JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as Manifest;
  const bytes = checkHasherModule(manifest);
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(bytes)));
  const xxh = bind(instance.exports as unknown as Kernel);
  for (const v of manifest.vectors) {
    const got = xxh.oneShot(Buffer.from(v.input, 'utf8'));
    if (got !== v.xxh64) throw new Error(`xxh64 known-answer test failed for ${JSON.stringify(v.input)}: ${got}`);
  }
  return xxh;
}
