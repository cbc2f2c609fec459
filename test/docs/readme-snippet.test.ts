/**
 * The README's "In code" snippet runs as written: extracted from README.md, saved as a .ts file in a folder where
 * `./src` is the project's src (the layout of the project root and of notebooks/), run with tsx, and every value it
 * prints is compared with the `// value` comment on the line that prints it. It also must stay importable by tslab:
 * no folder imports (tslab resolves files only) and no top-level await (tsx runs .ts files as CommonJS).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function snippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('In code');
  expect(at).toBeGreaterThan(0);
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(m).not.toBeNull();
  return m![1];
}

describe('README "In code" snippet', () => {
  it('imports files only and has no top-level await', () => {
    const code = snippet();
    const imports = [...code.matchAll(/from '([^']+)'/g)].map((x) => x[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports.filter((s) => s.startsWith('.'))) {
      const target = path.join(ROOT, spec);
      expect(fs.existsSync(`${target}.ts`), `${spec} must name a file (tslab cannot import a folder)`).toBe(true);
    }
    // Top-level statements start at column 0; an await there would be top-level.
    expect(code.split('\n').filter((l) => /^(const|let|)\s*\S*\s*=?\s*await\b/.test(l) || /^await\b/.test(l))).toEqual([]);
  });

  it('runs with tsx and prints the values its comments state', () => {
    const code = snippet();
    // Inside the project (the git-ignored .scratch/), so that '@tensorflow/tfjs' resolves from its node_modules.
    fs.mkdirSync(path.join(ROOT, '.scratch'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, '.scratch', 'readme-snippet-'));
    let r: ReturnType<typeof spawnSync>;
    try {
      fs.symlinkSync(path.join(ROOT, 'src'), path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'try.ts'), code);
      r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['try.ts'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (r.status !== 0) throw new Error(`the snippet failed (exit ${r.status}):\n${String(r.stderr).slice(-2000)}`);
    const printed = String(r.stdout).trim().split('\n').filter((l) => !l.startsWith('backend:')); // initBackend's own log line
    const logs = code.split('\n').filter((l) => /^\s*console\.log\(/.test(l));
    expect(printed.length).toBe(logs.length);
    let checked = 0;
    logs.forEach((line, i) => {
      const comment = /\/\/\s*(.*)$/.exec(line.replace(/'[^']*'/g, "''"));
      if (!comment) {
        expect(['tensorflow', 'wasm', 'cpu']).toContain(printed[i]); // the backend name
        return;
      }
      // The comment's value is what precedes any parenthesised explanation.
      expect(printed[i]).toBe(comment[1].replace(/\s*\(.*$/, '').trim());
      checked++;
    });
    expect(checked).toBeGreaterThanOrEqual(5);
    // Independent check of the loss line: an untrained encoder is near chance, ln 32.
    expect(Math.abs(Number(printed[printed.length - 1]) - Math.log(32))).toBeLessThan(0.05);
  });
});
