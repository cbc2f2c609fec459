/**
 * The SeqPE encoder's evaluation cache: each encoded position's output row, kept on the host, so evaluating long windows
 * (or many windows that overlap) encodes every position once. On engines that cannot read synchronously (webgpu in
 * Node, syncReads() false) the rows stay on the device instead: one growing [rows, width] table and a gather, the same
 * values exactly (a copy either way).
 *
 * Validity: the cache is keyed by the identity of every parameter's data buffer. tf.Variable.assign (used by every tfjs
 * optimiser and by load/setWeights) swaps that buffer, so an optimiser step clears the cache without anyone telling it.
 * Weights changed by some other route need an explicit `clear()`.
 */
import * as tf from '@tensorflow/tfjs';
import { syncReads } from '../../kernels/index';
import { Position, positionKey } from '../../positions/digits';

/** Unique positions of a request and where each requested row comes from. */
export interface Dedup {
  unique: Position[];
  keys: string[];
  /** Row of `unique` for each requested position. */
  index: Int32Array;
  /** True when the request had no repeats (index is the identity). */
  identity: boolean;
}

export function dedupPositions(positions: readonly Position[]): Dedup {
  const seen = new Map<string, number>();
  const unique: Position[] = [];
  const keys: string[] = [];
  const index = new Int32Array(positions.length);
  positions.forEach((p, i) => {
    const k = positionKey(p);
    let u = seen.get(k);
    if (u === undefined) {
      u = unique.length;
      seen.set(k, u);
      unique.push(p);
      keys.push(k);
    }
    index[i] = u;
  });
  return { unique, keys, index, identity: unique.length === positions.length };
}

/** The distinct positions of `positions` that `isCached` lacks (with their keys), and how many of the requested rows hit. */
function splitHits(positions: readonly Position[], isCached: (key: string) => boolean) {
  const dd = dedupPositions(positions);
  const missing: Position[] = [];
  const missingKeys: string[] = [];
  const cached = dd.keys.map(isCached);
  dd.keys.forEach((k, u) => {
    if (!cached[u]) {
      missing.push(dd.unique[u]);
      missingKeys.push(k);
    }
  });
  let hits = 0;
  for (let i = 0; i < positions.length; i++) if (cached[dd.index[i]]) hits++;
  return { dd, missing, missingKeys, hits };
}

export class EvalCache {
  private readonly rows = new Map<string, Float32Array>();
  /** Device path: row index of each cached key in `table` [size, width]. */
  private readonly rowIndex = new Map<string, number>();
  private table: tf.Tensor2D | undefined;
  private stamp: unknown[] | undefined;

  /**
   * @param width   output row size (the encoder's outDim)
   * @param chunk   positions per encoder forward when filling (bounds memory)
   */
  constructor(
    private readonly width: number,
    private readonly chunk: number,
  ) {}

  /** Positions currently cached. */
  get size(): number {
    return this.rows.size + this.rowIndex.size;
  }

  clear(): void {
    this.rows.clear();
    this.rowIndex.clear();
    this.table?.dispose();
    this.table = undefined;
    this.stamp = undefined;
  }

  /**
   * Rows [count, width] of `positions` in request order; missing ones are encoded by `encode` (eval mode, chunked).
   * @param variables the encoder's parameters (their data buffers stamp the cache's validity)
   * @returns the rows and how many requested rows were served from the cache
   */
  lookup(
    positions: readonly Position[],
    variables: readonly tf.Variable[],
    encode: (chunk: Position[]) => tf.Tensor2D,
  ): { rows: tf.Tensor2D; hits: number } {
    this.refreshStamp(variables);
    if (!syncReads()) return this.lookupOnDevice(positions, encode);
    const D = this.width;
    const { dd, missing, missingKeys, hits } = splitHits(positions, (k) => this.rows.has(k));
    for (let s = 0; s < missing.length; s += this.chunk) {
      const chunk = missing.slice(s, s + this.chunk);
      const out = tf.tidy(() => encode(chunk));
      const data = out.dataSync() as Float32Array;
      out.dispose();
      chunk.forEach((_, i) => this.rows.set(missingKeys[s + i], data.slice(i * D, (i + 1) * D)));
    }
    const res = new Float32Array(positions.length * D);
    for (let i = 0; i < positions.length; i++) res.set(this.rows.get(dd.keys[dd.index[i]])!, i * D);
    return { rows: tf.tensor2d(res, [positions.length, D]), hits };
  }

  /** lookup with the rows kept on the device (no host read): misses are appended to the table, rows gathered from it. */
  private lookupOnDevice(
    positions: readonly Position[],
    encode: (chunk: Position[]) => tf.Tensor2D,
  ): { rows: tf.Tensor2D; hits: number } {
    const { dd, missing, missingKeys, hits } = splitHits(positions, (k) => this.rowIndex.has(k));
    for (let s = 0; s < missing.length; s += this.chunk) {
      const chunk = missing.slice(s, s + this.chunk);
      const out = tf.tidy(() => encode(chunk));
      const base = this.table ? this.table.shape[0] : 0;
      const grown = this.table ? (tf.concat([this.table, out], 0) as tf.Tensor2D) : out;
      if (this.table) {
        this.table.dispose();
        out.dispose();
      }
      // Kept: lookup usually runs inside a caller's tidy, which must not free the cache's table.
      this.table = tf.keep(grown);
      chunk.forEach((_, i) => this.rowIndex.set(missingKeys[s + i], base + i));
    }
    const idx = new Int32Array(positions.length);
    for (let i = 0; i < positions.length; i++) idx[i] = this.rowIndex.get(dd.keys[dd.index[i]])!;
    if (!this.table) return { rows: tf.zeros([0, this.width]) as tf.Tensor2D, hits };
    const table = this.table;
    return { rows: tf.tidy(() => tf.gather(table, tf.tensor1d(idx, 'int32')) as tf.Tensor2D), hits };
  }

  /** Clears the cache if any parameter's data buffer changed since it was filled (tf.Variable.assign swaps it). */
  private refreshStamp(variables: readonly tf.Variable[]): void {
    const stamp = variables.map((v) => v.dataId as unknown);
    const old = this.stamp;
    if (!old || old.length !== stamp.length || old.some((s, i) => s !== stamp[i])) {
      this.clear();
      this.stamp = stamp;
    }
  }
}
