/** Every import in src/, read from the source text (static, dynamic and type-only alike). */
import fs from 'node:fs';
import path from 'node:path';

export const SRC = path.resolve(__dirname, '../../src');

export interface Import {
  /** The importing file, relative to src/ ("cli/main.ts"). */
  from: string;
  /** As written ("../index.js", "node:fs", "commander"). */
  spec: string;
  /** For a relative import: the imported file relative to src/, with .ts for .js ("index.ts"). */
  target?: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(full);
    return d.name.endsWith('.ts') ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

export function allImports(): Import[] {
  const out: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      const target = spec.startsWith('.')
        ? path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts')
        : undefined;
      out.push({ from, spec, target });
    }
  }
  return out;
}
