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
 *
 * This is the Node-only half (fs, path, crypto); the manifest types and the bytes ↔ tensors mapping live in
 * weights-format.ts, which the browser build uses. The format's names are re-exported here so Node callers keep one import.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, type AtomicFs, nodeFs } from '../util/atomic-write';
import {
  MANIFEST_FILE,
  WEIGHTS_FORMAT,
  weightsFromBytes,
  weightsToBytes,
  type HasNamedWeights,
  type NamedTensors,
  type WeightEntry,
  type WeightsFile,
} from './weights-format';

export {
  assignNamed,
  type HasNamedWeights,
  checkNamedShapes,
  MANIFEST_FILE,
  WEIGHTS_FORMAT,
  type NamedTensors,
  type WeightDtype,
  type WeightEntry,
  type WeightsFile,
  type WeightsGroup,
} from './weights-format';

/**
 * Writes name → tensor to `dir` (created if needed). Tensors are read, not disposed.
 * @param meta JSON-serialisable description stored in model.json
 * @param io the file-system layer (tests inject faults through it)
 */
export function saveWeights(dir: string, tensors: NamedTensors, meta?: unknown, io: AtomicFs = nodeFs): void {
  const { entries, data } = weightsToBytes(tensors);
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
      weightsFromBytes(g.weights, buf, tensors, `${g.paths.join(', ')} in ${dir}`);
    }
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
  return { tensors, meta: m.meta };
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

/** Saves `obj`'s parameters and its weightsMeta() to `dir` (model.json + .bin). */
export function saveWeightsOf(obj: HasNamedWeights, dir: string, io: AtomicFs = nodeFs): void {
  saveWeights(dir, obj.getWeights(), obj.weightsMeta(), io);
}

/** Loads weights saved by saveWeightsOf (or any weights directory with the same names and shapes) into `obj`. */
export function loadWeightsOf(obj: HasNamedWeights, dir: string): void {
  loadWeightsInto(dir, (tensors) => obj.setWeights(tensors));
}
