import { execFileSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

/**
 * The notebooks import src/index.ts through tslab, which ignores tsconfig.json and compiles with fixed, non-strict
 * options (ESNext modules, Node10 resolution, ES2022, skipLibCheck; docs/engine-notes.md §3). Code that passes the
 * project's strict typecheck can still fail there (e.g. a defaulted parameter `d = {}` is typed `{}` without strict
 * checks), and then every chapter fails at its first cell. This compiles the library entry with those options.
 */
describe('library entry under tslab’s compiler options', () => {
  it('src/index.ts compiles with no error', () => {
    const root = path.resolve(__dirname, '../..');
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const args = [tsc, '--noEmit', '--module', 'esnext', '--moduleResolution', 'node10', '--target', 'es2022',
      '--skipLibCheck', '--esModuleInterop', '--types', 'node', 'src/index.ts'];
    let out = '';
    try {
      execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
    }
    expect(out).toBe('');
  }, 180_000);
});
