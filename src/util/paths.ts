/**
 * The project root, found from this file's real location. Notebooks reach the library through the notebooks/src
 * symlink, where __dirname is notebooks/src/util and the kernel's cwd is notebooks/, so neither can be trusted as is.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(fs.realpathSync(__dirname), '..', '..');

/** A path inside the project. */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
