/**
 * Ed25519 keys (node:crypto), PEM on disk: PKCS#8 private, SPKI public.
 * A private key must be the caller's own and unreadable by others before it signs.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyError } from '../errors.js';

export const KEY_FILE = 'driftscan.key';
export const PUB_FILE = 'driftscan.pub';

/** Where a key lives when none is given: $DRIFTSCAN_HOME, else $XDG_CONFIG_HOME/driftscan, else ~/.config/driftscan. */
export function defaultKeyDir(): string {
  if (process.env.DRIFTSCAN_HOME) return process.env.DRIFTSCAN_HOME;
  const config = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
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

export function loadPrivateKey(file: string): KeyObject {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new KeyError(`cannot read private key ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new KeyError(`private key ${file} has mode ${(st.mode & 0o777).toString(8)}; it must be 600 (chmod 600 ${file})`);
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new KeyError(`private key ${file} is owned by uid ${st.uid}, not by you`);
  }
  try {
    const key = createPrivateKey(fs.readFileSync(file));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new KeyError(`${file} is not an Ed25519 private key: ${(err as Error).message}`);
  }
}

export function loadPublicKey(file: string): KeyObject {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new KeyError(`cannot read public key ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
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
