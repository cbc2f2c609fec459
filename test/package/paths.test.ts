/**
 * The project root in its three situations (src/util/paths.ts): this checkout, an installed package (no src/util/
 * around the compiled file, or no __dirname at all in ESM), and SEQPE_ROOT.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findProjectRoot, PROJECT_ROOT } from '../../src/util/paths';

const REPO = path.resolve(__dirname, '..', '..');

describe('project root', () => {
  it('is this checkout when the file sits in src/util/', () => {
    expect(PROJECT_ROOT).toBe(fs.realpathSync(REPO));
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'package.json'))).toBe(true);
    expect(findProjectRoot({}, path.join(REPO, 'src', 'util'), '/elsewhere')).toBe(fs.realpathSync(REPO));
  });

  it('is the working folder for a compiled copy (dist/cjs/util/) and when there is no __dirname (ESM)', () => {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-root-'));
    const compiled = path.join(pkg, 'node_modules', 'seqpe-ts', 'dist', 'cjs', 'util');
    fs.mkdirSync(compiled, { recursive: true });
    expect(findProjectRoot({}, compiled, pkg)).toBe(pkg);
    expect(findProjectRoot({}, undefined, pkg)).toBe(pkg);
    fs.rmSync(pkg, { recursive: true });
  });

  it('follows SEQPE_ROOT (relative to the working folder), and refuses one that is not a folder', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-root-'));
    fs.mkdirSync(path.join(base, 'runs'));
    fs.writeFileSync(path.join(base, 'file.txt'), 'x');
    expect(findProjectRoot({ SEQPE_ROOT: 'runs' }, path.join(REPO, 'src', 'util'), base)).toBe(path.join(base, 'runs'));
    expect(findProjectRoot({ SEQPE_ROOT: '' }, undefined, base)).toBe(base); // empty = unset
    expect(() => findProjectRoot({ SEQPE_ROOT: 'missing' }, undefined, base)).toThrow(/SEQPE_ROOT="missing" is not an existing folder/);
    expect(() => findProjectRoot({ SEQPE_ROOT: 'file.txt' }, undefined, base)).toThrow(/SEQPE_ROOT="file.txt" is not an existing folder/);
    fs.rmSync(base, { recursive: true });
  });
});
