/**
 * What the page gets for `fs`, `path` and `crypto` (explorer/build.ts points them here). The library modules the page
 * imports reach them only on code paths the page never takes (saving weights, checkpoints, progress files); should one
 * ever run, it fails with this message instead of doing something half-right.
 */
function unavailable(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available in the browser build of the explorer (it reads and writes no files)`);
  };
}

// fs
export const existsSync = unavailable('fs.existsSync');
export const readFileSync = unavailable('fs.readFileSync');
export const writeFileSync = unavailable('fs.writeFileSync');
export const appendFileSync = unavailable('fs.appendFileSync');
export const mkdirSync = unavailable('fs.mkdirSync');
export const openSync = unavailable('fs.openSync');
export const writeSync = unavailable('fs.writeSync');
export const fsyncSync = unavailable('fs.fsyncSync');
export const closeSync = unavailable('fs.closeSync');
export const renameSync = unavailable('fs.renameSync');
export const rmSync = unavailable('fs.rmSync');
export const unlinkSync = unavailable('fs.unlinkSync');
export const statSync = unavailable('fs.statSync');
export const readdirSync = unavailable('fs.readdirSync');
export const realpathSync = unavailable('fs.realpathSync');
export const accessSync = unavailable('fs.accessSync');
export const constants = {};
// path
export const join = unavailable('path.join');
export const resolve = unavailable('path.resolve');
export const dirname = unavailable('path.dirname');
export const basename = unavailable('path.basename');
export const relative = unavailable('path.relative');
export const sep = '/';
// crypto
export const createHash = unavailable('crypto.createHash');
