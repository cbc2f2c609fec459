/**
 * The layering rule, checked on the real import graph: every import points down or sideways, never up, and no two files
 * import each other in a cycle. Floors, bottom to top (a file may import its own floor and any floor below):
 *
 *   0 util   1 kernels (+ src/backend.ts, which installs them)   2 positions, data, losses   3 encodings, report
 *   4 models   5 train, eval   6 experiments   7 cli   8 src/index.ts, src/node.ts, src/browser.ts (the public entries)
 *   9 notebooks, scripts
 *
 * A src/ folder missing from this table is itself an error, so a new folder has to be placed deliberately. Code that
 * tslab compiles (src/ and the notebooks) must import files, not folders: tslab cannot resolve a folder's index.ts.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

const FLOORS: Record<string, number> = {
  util: 0,
  kernels: 1,
  positions: 2,
  data: 2,
  losses: 2,
  encodings: 3,
  report: 3,
  models: 4,
  train: 5,
  eval: 5,
  experiments: 6,
  cli: 7,
};
const FILE_FLOORS: Record<string, number> = { 'src/backend.ts': 1, 'src/index.ts': 8, 'src/browser.ts': 8, 'src/node.ts': 8 };
const TOP = 9;

/** Floor of a repo-relative path, or an error message. */
export function floorOf(rel: string): number | string {
  if (rel in FILE_FLOORS) return FILE_FLOORS[rel];
  const parts = rel.split('/');
  if (parts[0] === 'notebooks' || parts[0] === 'scripts') return TOP;
  if (parts[0] === 'src' && parts.length > 2 && parts[1] in FLOORS) return FLOORS[parts[1]];
  return `${rel} is in no floor of the layering table`;
}

/** Relative module specifiers imported by a TypeScript source (static, re-exports, dynamic, require), comments ignored. */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1].startsWith('.')) out.push(m[1]);
  return out;
}

/** The repo-relative file a relative specifier resolves to (x.ts or x/index.ts), through the notebooks/src link. */
function resolveSpec(fromRel: string, spec: string, exists: (rel: string) => boolean): string | undefined {
  let base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  if (base.startsWith('notebooks/src/') || base === 'notebooks/src') base = base.replace(/^notebooks\/src/, 'src');
  for (const c of [base, `${base}.ts`, `${base}/index.ts`]) if (c.endsWith('.ts') && exists(c)) return c;
  return undefined;
}

export interface Violation {
  from: string;
  to: string;
  why: string;
}

/** Every upward import, unresolvable import, unplaced file and import cycle among `files` (repo-relative path → source). */
export function checkLayering(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const [from, src] of files) {
    const ff = floorOf(from);
    if (typeof ff === 'string') {
      out.push({ from, to: '', why: ff });
      continue;
    }
    const deps: string[] = [];
    for (const spec of importsOf(src)) {
      const to = resolveSpec(from, spec, (r) => files.has(r));
      if (to && to.endsWith('/index.ts') && !spec.endsWith('/index') && (from.startsWith('src/') || from.startsWith('notebooks/'))) {
        out.push({ from, to, why: `folder import '${spec}': tslab resolves files only, write '${spec}/index'` });
      }
      if (!to) {
        if (!/\.(json|js|mjs|cjs)$/.test(spec)) out.push({ from, to: spec, why: `import '${spec}' resolves to no checked .ts file` });
        continue;
      }
      deps.push(to);
      const ft = floorOf(to);
      if (typeof ft === 'string') continue; // reported for `to` itself
      if (ft > ff) out.push({ from, to, why: `upward import: floor ${ff} imports floor ${ft}` });
    }
    graph.set(from, deps);
  }
  // cycles: depth-first search with colours; report each back edge once
  const colour = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    colour.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const c = colour.get(d);
      if (c === 1) out.push({ from: n, to: d, why: `import cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' → ')}` });
      else if (c === undefined) visit(d);
    }
    stack.pop();
    colour.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!colour.has(n)) visit(n);
  return out;
}

function readTree(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.set(r, fs.readFileSync(path.join(ROOT, r), 'utf8'));
    }
  };
  walk('src');
  walk('scripts');
  for (const e of fs.readdirSync(path.join(ROOT, 'notebooks'))) {
    if (e.endsWith('.nb.ts')) files.set(`notebooks/${e}`, fs.readFileSync(path.join(ROOT, 'notebooks', e), 'utf8'));
  }
  return files;
}

describe('layering', () => {
  it('reads every kind of import and ignores commented-out ones', () => {
    const src = [
      "import * as tf from '@tensorflow/tfjs';",
      "import { a, b } from '../kernels';",
      "import type { T } from './types';",
      "export { c } from '../util/rng';",
      "export * from './x';",
      "import {\n  d,\n  e,\n} from '../positions/digits';",
      "const m = await import('./lazy');",
      "const r = require('../data/idx');",
      "// import { no } from '../train/loop';",
      "/* import { no2 } from '../cli/args'; */",
    ].join('\n');
    expect(importsOf(src)).toEqual(['../kernels', './types', '../util/rng', './x', '../positions/digits', './lazy', '../data/idx']);
  });

  it('fails on a synthetic upward import, a cycle, an unplaced folder and a dangling import', () => {
    const files = new Map<string, string>([
      ['src/util/rng.ts', ''],
      ['src/kernels/index.ts', "import { Rng } from '../util/rng';"],
      ['src/encodings/bad.ts', "import { trainer } from '../train/loop';"], // encodings (3) → train (5): upward
      ['src/train/loop.ts', "import { k } from '../kernels/index';"], // downward: fine
      ['src/models/a.ts', "import { b } from './b';"],
      ['src/models/b.ts', "import { a } from './a';"], // same floor, but a cycle
      ['src/misc/stray.ts', ''], // no floor
      ['scripts/run.ts', "import { gone } from '../src/kernels/gone';"],
      ['notebooks/01.nb.ts', "import { kernels } from './src/kernels/index';"], // through the notebooks/src link: fine
      ['notebooks/02.nb.ts', "import { kernels } from './src/kernels';"], // a folder import: tslab cannot resolve it
    ]);
    const v = checkLayering(files);
    expect(v.map((x) => `${x.from} → ${x.to}: ${x.why}`).sort()).toEqual([
      'notebooks/02.nb.ts → src/kernels/index.ts: folder import \'./src/kernels\': tslab resolves files only, write \'./src/kernels/index\'',
      'scripts/run.ts → ../src/kernels/gone: import \'../src/kernels/gone\' resolves to no checked .ts file',
      'src/encodings/bad.ts → src/train/loop.ts: upward import: floor 3 imports floor 5',
      'src/misc/stray.ts → : src/misc/stray.ts is in no floor of the layering table',
      'src/models/b.ts → src/models/a.ts: import cycle: src/models/a.ts → src/models/b.ts → src/models/a.ts',
    ]);
  });

  it('today\'s tree: no upward import, no cycle, every file placed', () => {
    const files = readTree();
    expect(files.size).toBeGreaterThan(50); // really read the tree
    expect(checkLayering(files).map((x) => `${x.from} → ${x.to}: ${x.why}`)).toEqual([]);
  });
});
