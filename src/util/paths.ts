/**
 * The project root: where results/, figures/ and the run cache live.
 *
 * In this repository it is found from this file's real location (src/util/ → two folders up): notebooks reach the
 * library through the notebooks/src symlink, where __dirname is notebooks/src/util and the kernel's cwd is notebooks/,
 * so neither can be trusted as is. In the built package this file is inlined into dist/*.cjs|mjs (no src/util/ around
 * it, and no __dirname at all in ESM), and the root is the consumer's working folder, so results land where they ran
 * the command rather than inside node_modules. SEQPE_ROOT overrides both; it must name an existing folder.
 * Node only (fs, path, process): the browser entry does not reach this file.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The root for a given environment (exported for tests): SEQPE_ROOT, else the checkout around `here`, else `cwd`. */
export function findProjectRoot(env: { SEQPE_ROOT?: string }, here: string | undefined, cwd: string): string {
  if (env.SEQPE_ROOT !== undefined && env.SEQPE_ROOT !== '') {
    const root = path.resolve(cwd, env.SEQPE_ROOT);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      throw new Error(`SEQPE_ROOT=${JSON.stringify(env.SEQPE_ROOT)} is not an existing folder; expected the folder to hold results/ and figures/`);
    }
    return root;
  }
  if (here !== undefined) {
    const dir = fs.realpathSync(here);
    if (path.basename(dir) === 'util' && path.basename(path.dirname(dir)) === 'src') return path.resolve(dir, '..', '..');
  }
  return cwd;
}

export const PROJECT_ROOT = findProjectRoot(process.env, typeof __dirname === 'string' ? __dirname : undefined, process.cwd());

/** A path inside the project. */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
