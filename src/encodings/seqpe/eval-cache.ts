/**
 * The SeqPE encoder's evaluation cache: each encoded position's output row, kept on the host, so evaluating long windows
 * (or many windows that overlap) encodes every position once.
 *
 * Validity: the cache is keyed by the identity of every parameter's data buffer. tf.Variable.assign (used by every tfjs
 * optimiser and by load/setWeights) swaps that buffer, so an optimiser step clears the cache without anyone telling it.
 * Weights changed by some other route need an explicit `clear()`.
 */
import * as tf from '@tensorflow/tfjs';
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

export class EvalCache {
  private readonly rows = new Map<string, Float32Array>();
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
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
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
    const D = this.width;
    const dd = dedupPositions(positions);
    const missing: Position[] = [];
    const missingKeys: string[] = [];
    const cached = dd.keys.map((k) => this.rows.has(k));
    dd.keys.forEach((k, u) => {
      if (!cached[u]) {
        missing.push(dd.unique[u]);
        missingKeys.push(k);
      }
    });
    let hits = 0;
    for (let i = 0; i < positions.length; i++) if (cached[dd.index[i]]) hits++;
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

  /** Clears the cache if any parameter's data buffer changed since it was filled (tf.Variable.assign swaps it). */
  private refreshStamp(variables: readonly tf.Variable[]): void {
    const stamp = variables.map((v) => v.dataId as unknown);
    const old = this.stamp;
    if (!old || old.length !== stamp.length || old.some((s, i) => s !== stamp[i])) {
      this.rows.clear();
      this.stamp = stamp;
    }
  }
}
