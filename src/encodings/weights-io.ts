/**
 * Named tensors on disk in the TensorFlow.js weights format: a directory holding
 *
 *   model.json   { "format": "seqpe-ts-weights", "formatVersion": 1, "meta": {...},
 *                  "weightsManifest": [{ "paths": ["weights.<sha>.bin"], "weights": [{ "name", "shape", "dtype" }, ...] }] }
 *   weights.<sha>.bin   the values, little-endian, concatenated in manifest order
 *
 * which tf.io's weight loaders also read. Writes are atomic: the data file (named by a hash of its bytes) is written to a
 * temporary name and renamed, then model.json likewise, and only then are data files no longer referenced deleted. A
 * crash at any point leaves the previous complete save, or the new one, never a mix.
 * Supported dtypes: float32 and int32.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

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

const LITTLE_ENDIAN = os.endianness() === 'LE';

function valuesToBytes(values: Float32Array | Int32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof Float32Array) b.writeFloatLE(values[i], i * 4);
    else b.writeInt32LE(values[i], i * 4);
  }
  return b;
}

function bytesToValues(buf: Buffer, offset: number, n: number, dtype: WeightDtype): Float32Array | Int32Array {
  if (LITTLE_ENDIAN) {
    // Copy into a fresh, aligned buffer (the file buffer's offset need not be a multiple of 4).
    const ab = buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + n * 4);
    return dtype === 'float32' ? new Float32Array(ab) : new Int32Array(ab);
  }
  const out = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = dtype === 'float32' ? buf.readFloatLE(offset + i * 4) : buf.readInt32LE(offset + i * 4);
  return out;
}

function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fs.existsSync(tmp)) fs.unlinkSync(tmp);
    throw e;
  }
}

/**
 * Writes name → tensor to `dir` (created if needed). Tensors are read, not disposed.
 * @param meta JSON-serialisable description stored in model.json
 */
export function saveWeights(dir: string, tensors: NamedTensors, meta?: unknown): void {
  const map = toMap(tensors);
  const entries: WeightEntry[] = [];
  const chunks: Buffer[] = [];
  for (const [name, t] of map) {
    if (t.isDisposed) throw new Error(`saveWeights: tensor ${JSON.stringify(name)} is disposed`);
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new Error(`saveWeights: tensor ${JSON.stringify(name)} has dtype ${t.dtype}; only float32 and int32 are supported`);
    }
    entries.push({ name, shape: [...t.shape], dtype: t.dtype });
    chunks.push(Buffer.from(valuesToBytes(t.dataSync() as Float32Array | Int32Array)));
  }
  const data = Buffer.concat(chunks);
  const hash = crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);
  const binName = `weights.${hash}.bin`;
  fs.mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, binName), data);
  const manifest: WeightsFile = {
    format: WEIGHTS_FORMAT,
    formatVersion: 1,
    ...(meta === undefined ? {} : { meta }),
    weightsManifest: [{ paths: [binName], weights: entries }],
  };
  writeAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1));
  for (const f of fs.readdirSync(dir)) {
    if (/^weights\.[0-9a-f]{16}\.bin$/.test(f) && f !== binName) fs.unlinkSync(path.join(dir, f));
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
        tensors.set(w.name, tf.tensor(bytesToValues(buf, off, n, w.dtype), w.shape, w.dtype));
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
