/**
 * Named tensors on disk in the TensorFlow.js weights format: a directory holding
 *
 *   model.json   { "format": "seqpe-ts-weights", "formatVersion": 1, "meta": {...},
 *                  "weightsManifest": [{ "paths": ["weights.<sha>.bin"], "weights": [{ "name", "shape", "dtype" }, ...] }] }
 *   weights.<sha>.bin   the values, little-endian, concatenated in manifest order
 *
 * which tf.io's weight loaders also read. Each file is written atomically (src/util/atomic-write.ts: written fully,
 * fsynced, renamed): the data file (named by a hash of its bytes) first, then model.json, and only then are data files
 * no longer referenced deleted. A crash or a full disk at any point leaves the previous complete save, or the new one,
 * never a mix; a failed write throws an error naming the file and the cause.
 * Supported dtypes: float32 and int32.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, type AtomicFs, nodeFs } from '../util/atomic-write';
import { fromLittleEndian, toLittleEndian } from '../util/blob';

export const MANIFEST_FILE = 'model.json';
export const WEIGHTS_FORMAT = 'seqpe-ts-weights';

export type WeightDtype = 'float32' | 'int32';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: WeightDtype;
}

export interface WeightsGroup {
  paths: string[];
  weights: WeightEntry[];
}

export interface WeightsFile {
  format: string;
  formatVersion: number;
  /** Free-form description saved alongside (e.g. the config that built the tensors). */
  meta?: unknown;
  weightsManifest: WeightsGroup[];
}

export type NamedTensors = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

function toMap<T>(m: Map<string, T> | Record<string, T>): Map<string, T> {
  return m instanceof Map ? m : new Map(Object.entries(m));
}

/**
 * Writes name → tensor to `dir` (created if needed). Tensors are read, not disposed.
 * @param meta JSON-serialisable description stored in model.json
 * @param io the file-system layer (tests inject faults through it)
 */
export function saveWeights(dir: string, tensors: NamedTensors, meta?: unknown, io: AtomicFs = nodeFs): void {
  const map = toMap(tensors);
  const entries: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, t] of map) {
    if (t.isDisposed) throw new Error(`saveWeights: tensor ${JSON.stringify(name)} is disposed`);
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new Error(`saveWeights: tensor ${JSON.stringify(name)} has dtype ${t.dtype}; only float32 and int32 are supported`);
    }
    entries.push({ name, shape: [...t.shape], dtype: t.dtype });
    chunks.push(toLittleEndian(t.dataSync() as Float32Array | Int32Array));
  }
  const data = Buffer.concat(chunks);
  const hash = crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);
  const binName = `weights.${hash}.bin`;
  writeFileAtomic(path.join(dir, binName), data, io);
  const manifest: WeightsFile = {
    format: WEIGHTS_FORMAT,
    formatVersion: 1,
    ...(meta === undefined ? {} : { meta }),
    weightsManifest: [{ paths: [binName], weights: entries }],
  };
  writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1), io);
  for (const f of fs.readdirSync(dir)) {
    if (/^weights\.[0-9a-f]{16}\.bin$/.test(f) && f !== binName) fs.unlinkSync(path.join(dir, f));
  }
}

/**
 * A manifest may name only plain files inside its own folder: a crafted model.json must not make the loader read
 * `../../etc/passwd`, an absolute path, a file in a sub-folder, or a symlink that leads out of the folder.
 */
function checkDataPath(dir: string, file: string, p: unknown): void {
  const bad = (why: string): never => {
    throw new Error(`loadWeights: ${file} names data file ${JSON.stringify(p)}, ${why}; a weights manifest may name only files in its own folder`);
  };
  if (typeof p !== 'string' || p === '') return bad('which is not a file name');
  if (path.isAbsolute(p) || path.win32.isAbsolute(p)) bad('an absolute path');
  if (/[\\/]/.test(p)) bad('a path with a separator');
  if (p === '.' || p === '..' || p.includes('\0')) bad('not a file name');
  const f = path.join(dir, p);
  if (fs.existsSync(f)) {
    const real = fs.realpathSync(f);
    const home = fs.realpathSync(dir);
    if (path.dirname(real) !== home) bad(`a link to ${real}, outside ${home}`);
    if (!fs.statSync(real).isFile()) bad('not a plain file');
  }
}

/** Reads and validates model.json of `dir`. */
export function readManifest(dir: string): WeightsFile {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) throw new Error(`loadWeights: ${file} does not exist`);
  let m: WeightsFile;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`loadWeights: ${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!m || typeof m !== 'object' || !Array.isArray(m.weightsManifest)) {
    throw new Error(`loadWeights: ${file} has no "weightsManifest" array; expected the tfjs weights format`);
  }
  for (const g of m.weightsManifest) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new Error(`loadWeights: ${file}: every weightsManifest group needs "paths" and "weights" arrays`);
    }
    for (const p of g.paths) checkDataPath(dir, file, p);
    for (const w of g.weights as Array<WeightEntry & { quantization?: unknown }>) {
      if (typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((s) => Number.isInteger(s) && s >= 0)) {
        throw new Error(`loadWeights: ${file}: malformed weight entry ${JSON.stringify(w)}`);
      }
      if (w.dtype !== 'float32' && w.dtype !== 'int32') {
        throw new Error(`loadWeights: ${file}: weight ${JSON.stringify(w.name)} has dtype ${w.dtype}; only float32 and int32 are supported`);
      }
      if (w.quantization !== undefined) throw new Error(`loadWeights: ${file}: weight ${JSON.stringify(w.name)} is quantized; not supported`);
    }
  }
  return m;
}

/** Loads every tensor of `dir` (the caller owns and disposes them). */
export function loadWeights(dir: string): { tensors: Map<string, tf.Tensor>; meta?: unknown } {
  const m = readManifest(dir);
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const g of m.weightsManifest) {
      const buf = Buffer.concat(
        g.paths.map((p) => {
          const f = path.join(dir, p);
          if (!fs.existsSync(f)) throw new Error(`loadWeights: data file ${f} named in ${MANIFEST_FILE} does not exist`);
          return fs.readFileSync(f);
        }),
      );
      const need = g.weights.reduce((a, w) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0);
      if (buf.length !== need) {
        throw new Error(`loadWeights: ${g.paths.join(', ')} in ${dir} hold ${buf.length} bytes; the manifest describes ${need}`);
      }
      let off = 0;
      for (const w of g.weights) {
        if (tensors.has(w.name)) throw new Error(`loadWeights: ${dir} names ${JSON.stringify(w.name)} twice`);
        const n = w.shape.reduce((x, y) => x * y, 1);
        tensors.set(w.name, tf.tensor(fromLittleEndian(buf, off, n, w.dtype), w.shape, w.dtype));
        off += 4 * n;
      }
    }
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, meta: m.meta };
}

/**
 * Checks that `got` has exactly the names of `expected`, each with the same shape and dtype. Throws one Error listing
 * every missing name, extra name and shape/dtype mismatch.
 */
export function checkNamedShapes(
  expected: Map<string, { shape: readonly number[]; dtype: string }>,
  got: Map<string, { shape: readonly number[]; dtype: string }>,
  where: string,
): void {
  const problems: string[] = [];
  for (const [name, e] of expected) {
    const g = got.get(name);
    if (!g) problems.push(`missing ${JSON.stringify(name)} (expected shape [${e.shape}])`);
    else if (g.shape.length !== e.shape.length || g.shape.some((s, i) => s !== e.shape[i])) {
      problems.push(`shape mismatch for ${JSON.stringify(name)}: got [${g.shape}], expected [${e.shape}]`);
    } else if (g.dtype !== e.dtype) problems.push(`dtype mismatch for ${JSON.stringify(name)}: got ${g.dtype}, expected ${e.dtype}`);
  }
  for (const name of got.keys()) if (!expected.has(name)) problems.push(`unexpected ${JSON.stringify(name)}`);
  if (problems.length > 0) {
    const shown = problems.slice(0, 12).join('; ');
    const more = problems.length > 12 ? ` (and ${problems.length - 12} more)` : '';
    throw new Error(`${where}: weights do not match the model: ${shown}${more}`);
  }
}

/** Assigns tensors to variables by name after checking names, shapes and dtypes; nothing is assigned on error. */
export function assignNamed(vars: Map<string, tf.Variable>, tensors: NamedTensors, where: string): void {
  const map = toMap(tensors);
  checkNamedShapes(vars, map, where);
  for (const [name, v] of vars) v.assign(map.get(name)!);
}

/** Loads `dir` and hands the tensors to `assign` (e.g. an object's setWeights), freeing them afterwards in any case. */
export function loadWeightsInto(dir: string, assign: (tensors: Map<string, tf.Tensor>) => void): void {
  const { tensors } = loadWeights(dir);
  try {
    assign(tensors);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
