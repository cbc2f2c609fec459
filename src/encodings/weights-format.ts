/**
 * Named tensors ↔ bytes in the TensorFlow.js weights format, with no file system: the part of weights-io.ts that runs
 * in a browser too. A weights directory is a manifest (model.json) plus data files; this file knows the manifest's
 * types and how one group's concatenated little-endian bytes map to tensors and back. Reading and writing the files
 * (atomically, on Node) is weights-io.ts's job.
 * Supported dtypes: float32 and int32.
 */
import * as tf from '@tensorflow/tfjs';
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

/**
 * An object whose parameters travel by name (the SeqPE encoder, the SeqPE encoding): what weights-io.ts's
 * saveWeightsOf/loadWeightsOf need, and what a browser uses with safetensors bytes instead of files.
 */
export interface HasNamedWeights {
  /** The parameters by name (the variables themselves: read them, do not dispose them). */
  getWeights(): Map<string, tf.Tensor>;
  /** Assigns every parameter (names, shapes and dtypes must match exactly; nothing is assigned on error). */
  setWeights(weights: Map<string, tf.Tensor>): void;
  /** A JSON-serialisable description saved next to the weights (the config that built them). */
  weightsMeta(): unknown;
}

export function toNamedMap<T>(m: Map<string, T> | Record<string, T>): Map<string, T> {
  return m instanceof Map ? m : new Map(Object.entries(m));
}

/** The manifest entries and the concatenated little-endian values of `tensors`, in map order. Tensors are read, not disposed. */
export function weightsToBytes(tensors: NamedTensors, where = 'saveWeights'): { entries: WeightEntry[]; data: Uint8Array } {
  const entries: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, t] of toNamedMap(tensors)) {
    if (t.isDisposed) throw new Error(`${where}: tensor ${JSON.stringify(name)} is disposed`);
    if (t.dtype !== 'float32' && t.dtype !== 'int32') {
      throw new Error(`${where}: tensor ${JSON.stringify(name)} has dtype ${t.dtype}; only float32 and int32 are supported`);
    }
    entries.push({ name, shape: [...t.shape], dtype: t.dtype });
    chunks.push(toLittleEndian(t.dataSync() as Float32Array | Int32Array));
  }
  const data = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    data.set(c, off);
    off += c.length;
  }
  return { entries, data };
}

/**
 * Adds to `into` one tensor per entry, read from `bytes` (one group's data files concatenated). `bytes` must hold
 * exactly what the entries describe; a name already in `into` is an error. On error the tensors this call made are
 * freed (those already in `into` stay the caller's).
 */
export function weightsFromBytes(entries: readonly WeightEntry[], bytes: Uint8Array, into: Map<string, tf.Tensor>, where: string): void {
  const need = entries.reduce((a, w) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0);
  if (bytes.length !== need) throw new Error(`loadWeights: ${where} hold ${bytes.length} bytes; the manifest describes ${need}`);
  const made: string[] = [];
  try {
    let off = 0;
    for (const w of entries) {
      if (into.has(w.name)) throw new Error(`loadWeights: ${where} names ${JSON.stringify(w.name)} twice`);
      const n = w.shape.reduce((x, y) => x * y, 1);
      into.set(w.name, tf.tensor(fromLittleEndian(bytes, off, n, w.dtype), w.shape, w.dtype));
      made.push(w.name);
      off += 4 * n;
    }
  } catch (e) {
    for (const name of made) {
      into.get(name)!.dispose();
      into.delete(name);
    }
    throw e;
  }
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
  const map = toNamedMap(tensors);
  checkNamedShapes(vars, map, where);
  for (const [name, v] of vars) v.assign(map.get(name)!);
}
