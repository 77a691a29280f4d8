/**
 * Ed25519 keys (node:crypto), PEM on disk: PKCS#8 private, SPKI public.
 * A private key must be the caller's own and unreadable by others before it signs.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyError } from '../errors.js';
import { INPUT_FLAGS, readInput } from '../read-input.js';
import { openNoAtime } from '../quiet-open.js';

export const KEY_FILE = 'driftscan.key';
export const PUB_FILE = 'driftscan.pub';

/**
 * Where a key lives when none is given: $DRIFTSCAN_HOME, else $XDG_CONFIG_HOME/driftscan, else
 * ~/.config/driftscan. A relative XDG_CONFIG_HOME is ignored, as the XDG specification says:
 * keys must not land wherever the command happened to run.
 */
export function defaultKeyDir(): string {
  if (process.env.DRIFTSCAN_HOME) return process.env.DRIFTSCAN_HOME;
  const xdg = process.env.XDG_CONFIG_HOME;
  const config = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.config');
  return path.join(config, 'driftscan');
}

function writeNew(file: string, data: string, mode: number): void {
  try {
    fs.writeFileSync(file, data, { flag: 'wx', mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new KeyError(`${file} exists; refusing to overwrite a key`);
    throw new KeyError(`cannot write ${file}: ${code ?? (err as Error).message}`);
  }
}

/** Creates DIR/driftscan.key (0600) and DIR/driftscan.pub; never overwrites either. */
export function generateKeyPair(dir: string): { key: string; pub: string } {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new KeyError(`cannot create key directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const key = path.join(dir, KEY_FILE);
  const pub = path.join(dir, PUB_FILE);
  if (fs.existsSync(pub)) throw new KeyError(`${pub} exists; refusing to overwrite a key`);
  const pair = generateKeyPairSync('ed25519');
  writeNew(key, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  writeNew(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  return { key, pub };
}

/** A PEM Ed25519 key is a few hundred bytes; 64 KiB is no key (and `--key /dev/zero` must not fill memory). */
const KEY_FILE_LIMIT = 64 * 1024;

/**
 * Reads a key file, checked on the descriptor it is read from: a regular file
 * of key size, or for a public key also a pipe (`--pubkey <(...)`), read up to
 * the limit. Opened without blocking (read-input.ts): a FIFO is never waited on.
 */
function readKeyFile(file: string, what: string, check?: (st: fs.Stats) => void): Buffer {
  const pipeOk = check === undefined;
  let fd: number;
  try {
    // O_NOATIME: a --pubkey may lie inside the scanned root (evidence).
    fd = openNoAtime(file, INPUT_FLAGS);
  } catch (err) {
    throw new KeyError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() && !(pipeOk && st.isFIFO())) throw new KeyError(`${what} ${file} is not a regular file`);
    check?.(st);
    const data = readInput(fd, KEY_FILE_LIMIT);
    if (data.length > KEY_FILE_LIMIT) throw new KeyError(`${what} ${file} is larger than 64 KiB: not a key`);
    return data;
  } catch (err) {
    if (err instanceof KeyError) throw err;
    throw new KeyError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code}`);
  } finally {
    fs.closeSync(fd);
  }
}

export function loadPrivateKey(file: string): KeyObject {
  const data = readKeyFile(file, 'private key', (st) => {
    if ((st.mode & 0o077) !== 0) {
      throw new KeyError(`private key ${file} has mode ${(st.mode & 0o777).toString(8)}; it must be 600 (chmod 600 ${file})`);
    }
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new KeyError(`private key ${file} is owned by uid ${st.uid}, not by you`);
    }
  });
  try {
    const key = createPrivateKey(data);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new KeyError(`${file} is not an Ed25519 private key: ${(err as Error).message}`);
  }
}

export function loadPublicKey(file: string): KeyObject {
  const data = readKeyFile(file, 'public key');
  try {
    const key = createPublicKey(data);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new KeyError(`${file} is not an Ed25519 public key: ${(err as Error).message}`);
  }
}

/** SHA-256 of the public key's SPKI DER: names the key in headers and messages. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}
