/**
 * One `rpm -qa` query for the installed packages and every packaged file with
 * its recorded digest. Each record starts with a tag word: `P name evr arch`
 * for a package, `F name algo state digest path` for each of its files.
 */
import type { BytePath, PackageData, PackageInfo } from '../types.js';
import { shellWords } from './shell-words.js';

export const RPM_QUERY_FORMAT =
  'P %{NAME:shescape} %{EVR:shescape} %{ARCH:shescape}\\n' +
  '[F %{=NAME:shescape} %{=FILEDIGESTALGO:shescape} %{FILESTATES} %{FILEDIGESTS:shescape} %{FILENAMES:shescape}\\n]';

/** RPMFILE_STATE_NORMAL; others (replaced, not installed, net shared) mean the disk holds something else. */
const STATE_NORMAL = '0';

/** rpm's PGPHASHALGO numbers. A header without FILEDIGESTALGO predates it and used md5. */
const DIGEST_ALGOS: Record<string, string> = {
  '1': 'md5',
  '2': 'sha1',
  '8': 'sha256',
  '9': 'sha384',
  '10': 'sha512',
  '11': 'sha224',
  '(none)': 'md5',
};

export function parseRpmQuery(output: Buffer | string): Pick<PackageData, 'packages' | 'files'> {
  const text = typeof output === 'string' ? output : output.toString('latin1');
  const words = shellWords(text);
  const packages: PackageInfo[] = [];
  const files: PackageData['files'] = {};
  let i = 0;
  while (i < words.length) {
    const tag = words[i];
    if (tag === 'P' && i + 3 < words.length) {
      packages.push({ name: words[i + 1], version: words[i + 2], arch: words[i + 3] });
      i += 4;
    } else if (tag === 'F' && i + 5 < words.length) {
      const [pkg, algo, state, digest, path] = words.slice(i + 1, i + 6);
      addFile(files, path, pkg, state === STATE_NORMAL ? digest : '', algo);
      i += 6;
    } else {
      throw new Error(`unexpected word ${JSON.stringify(tag)} in rpm query output`);
    }
  }
  return { packages, files };
}

function addFile(files: PackageData['files'], path: BytePath, pkg: string, digest: string, algoNum: string): void {
  // Directories and symlinks have no digest, nor do files another package
  // replaced; a path shared by several packages keeps the first owner whose
  // digest describes what is on disk.
  const prev = files[path];
  if (prev && (prev.digest || !digest)) return;
  const algo = DIGEST_ALGOS[algoNum] ?? `rpm-algo-${algoNum}`;
  files[path] = digest ? { pkg, digest: digest.toLowerCase(), algo } : { pkg };
}
