/**
 * The browser seam, checked on the real import graph: every file that src/browser.ts reaches through value imports
 * (static, re-export, dynamic, require; `import type` / `export type` are erased and do not count) imports no Node
 * built-in, no package but @tensorflow/tfjs, and names no Node-only global (process, Buffer, __dirname, require).
 * scripts/test-package.sh makes the same check the bundler's way (esbuild, platform browser).
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const ALLOWED_PACKAGES = new Set(['@tensorflow/tfjs']);
const NODE_GLOBALS = /\b(process\s*\.|Buffer\s*\.|__dirname|__filename|require\s*\()/;

/** Source without comments and string-free enough for the checks below (comments only: strings stay). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Module specifiers a source imports at run time (type-only imports and re-exports left out). */
export function valueImports(source: string): string[] {
  const code = stripComments(source);
  const out: string[] = [];
  const patterns = [
    /\b(import|export)(\s+type)?\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\b(import)()\s*['"]([^'"]+)['"]/g,
    /\b(import)()\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\b(require)()\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (!m[2]) out.push(m[3]);
  return out;
}

export interface GraphProblem {
  file: string;
  problem: string;
}

/** Walks the value-import graph from `entry` (repo-relative) over `read` and lists every Node dependency it meets. */
export function browserProblems(entry: string, read: (rel: string) => string | undefined): { files: string[]; problems: GraphProblem[] } {
  const seen = new Set<string>();
  const problems: GraphProblem[] = [];
  const builtins = new Set(builtinModules.flatMap((b) => [b, `node:${b}`]));
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = read(file);
    if (src === undefined) {
      problems.push({ file, problem: 'file not found' });
      continue;
    }
    const global = stripComments(src).match(NODE_GLOBALS);
    if (global) problems.push({ file, problem: `uses the Node-only global ${JSON.stringify(global[1].replace(/\s/g, ''))}` });
    for (const spec of valueImports(src)) {
      if (spec.startsWith('.')) {
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        const hit = [`${base}.ts`, `${base}/index.ts`, base].find((c) => c.endsWith('.ts') && read(c) !== undefined);
        if (hit) todo.push(hit);
        else problems.push({ file, problem: `import '${spec}' resolves to no .ts file` });
      } else if (builtins.has(spec) || builtins.has(spec.split('/')[0])) {
        problems.push({ file, problem: `imports the Node built-in '${spec}'` });
      } else if (!ALLOWED_PACKAGES.has(spec)) {
        problems.push({ file, problem: `imports the package '${spec}' (the browser core may use only ${[...ALLOWED_PACKAGES].join(', ')})` });
      }
    }
  }
  return { files: [...seen].sort(), problems };
}

function readRepo(rel: string): string | undefined {
  const f = path.join(ROOT, rel);
  return fs.existsSync(f) && fs.statSync(f).isFile() ? fs.readFileSync(f, 'utf8') : undefined;
}

describe('browser entry import graph', () => {
  it('tells value imports from type-only ones and ignores commented-out ones', () => {
    const src = [
      "import * as tf from '@tensorflow/tfjs';",
      "import type { T } from './types';",
      "export type { U } from './more-types';",
      "import { type V, w } from './mixed';",
      "export * from './all';",
      "export { x } from './some';",
      "const m = await import('./lazy');",
      "const r = require('fs');",
      "// import * as os from 'os';",
      "/* import * as path from 'path'; */",
    ].join('\n');
    expect(valueImports(src)).toEqual(['@tensorflow/tfjs', './mixed', './all', './some', './lazy', 'fs']);
  });

  it('catches a built-in, a node: built-in, a Node global and a foreign package several imports deep', () => {
    const files: Record<string, string> = {
      'src/browser.ts': "export * from './a/index';",
      'src/a/index.ts': "import { b } from './b';\nimport type { Stats } from 'fs';",
      'src/a/b.ts': "import * as os from 'os';\nimport { c } from '../c';",
      'src/c.ts': "import { readFileSync } from 'node:fs';\nexport const here = __dirname;\nimport * as dfd from 'danfojs-node';",
    };
    const { files: reached, problems } = browserProblems('src/browser.ts', (r) => files[r]);
    expect(reached).toEqual(['src/a/b.ts', 'src/a/index.ts', 'src/browser.ts', 'src/c.ts']);
    expect(problems.map((p) => `${p.file}: ${p.problem}`).sort()).toEqual([
      "src/a/b.ts: imports the Node built-in 'os'",
      "src/c.ts: imports the Node built-in 'node:fs'",
      "src/c.ts: imports the package 'danfojs-node' (the browser core may use only @tensorflow/tfjs)",
      'src/c.ts: uses the Node-only global "__dirname"',
    ]);
  });

  it('src/browser.ts reaches the core and no Node dependency', () => {
    const { files, problems } = browserProblems('src/browser.ts', readRepo);
    expect(problems.map((p) => `${p.file}: ${p.problem}`)).toEqual([]);
    // It really walked the core: the encoder, the losses, the optimiser, the similarity evaluation, the digits.
    for (const f of ['src/encodings/seqpe/encoder.ts', 'src/losses/contrastive.ts', 'src/train/adamw.ts', 'src/eval/similarity.ts', 'src/positions/digits.ts', 'src/util/safetensors.ts']) {
      expect(files).toContain(f);
    }
    expect(files).not.toContain('src/encodings/weights-io.ts');
  });

  it('the Node entries do reach Node built-ins (the check is not vacuous)', () => {
    const { problems } = browserProblems('src/node.ts', readRepo);
    expect(problems.some((p) => p.file === 'src/encodings/weights-io.ts' && /Node built-in 'fs'/.test(p.problem))).toBe(true);
  });
});
