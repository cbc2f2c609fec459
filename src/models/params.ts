/**
 * A named parameter store: every trainable tensor of a model under a stable name ("blocks.0.attn.qkv.w", the scheme the
 * SeqPE encoder documents), tagged with its optimiser group ('main' = the Transformer, 'pe' = the position encoding,
 * clipped separately, method §1.8) and whether it takes weight decay.
 *
 * Weight decay by rank: a parameter of rank ≥ 2 (a matrix) decays, a vector (bias, LayerNorm gain/bias) does not —
 * timm's rule, and the method's "embeddings, LN and CLS always have no decay" (method §1.8). Embedding tables and CLS
 * tokens are matrices, so their creators opt out explicitly with `decay: false`.
 *
 * Initial values are drawn from one seeded Rng in creation order, so the same seed and the same construction code give
 * the same numbers. tf.Variable names are left to tfjs (they must be unique per process and tests build many models);
 * checkpoints use the store's own names, which are stable.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, normalArray } from '../util/rng';

export type ParamGroup = 'main' | 'pe';
export const PARAM_GROUPS: readonly ParamGroup[] = ['main', 'pe'];

export interface ParamOptions {
  /** Optimiser group; default 'main'. */
  group?: ParamGroup;
  /** Apply AdamW weight decay; default by rank: true for rank ≥ 2 (matrices), false for vectors. */
  decay?: boolean;
}

export interface Param {
  name: string;
  variable: tf.Variable;
  group: ParamGroup;
  decay: boolean;
  /** Created (and disposed) by this store; adopted variables belong to someone else (the encoding). */
  owned: boolean;
}

/** A tensor's values outside tfjs, for checkpoints. */
export interface SavedTensor {
  shape: number[];
  data: Float32Array;
}

function checkShape(name: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`param "${name}": shape must be a non-empty list of positive integers, got ${JSON.stringify(shape)}`);
  }
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export class ParamStore {
  private readonly rng: Rng;
  private readonly byName = new Map<string, Param>();

  constructor(seed: number | Rng) {
    this.rng = typeof seed === 'number' ? new Rng(seed) : seed;
  }

  private add(name: string, variable: tf.Variable, opts: ParamOptions, owned: boolean): tf.Variable {
    if (this.byName.has(name)) throw new Error(`param "${name}" is already defined`);
    const group = opts.group ?? 'main';
    if (!PARAM_GROUPS.includes(group)) throw new Error(`param "${name}": group must be 'main' or 'pe', got ${String(group)}`);
    this.byName.set(name, { name, variable, group, decay: opts.decay ?? variable.rank >= 2, owned });
    return variable;
  }

  private create(name: string, shape: number[], values: Float32Array, opts: ParamOptions): tf.Variable {
    checkShape(name, shape);
    return this.add(name, tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true)), opts, true);
  }

  /** N(0, std²) values (truncated at ±2·std when `truncate`, timm's trunc_normal_). */
  normal(name: string, shape: number[], std: number, opts: ParamOptions & { truncate?: boolean } = {}): tf.Variable {
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`param "${name}": std must be a finite number ≥ 0, got ${std}`);
    checkShape(name, shape);
    return this.create(name, shape, normalArray(this.rng, size(shape), std, opts.truncate ?? false), opts);
  }

  /** Every entry equal to `value` (zeros for biases, ones for LayerNorm gains). */
  constant(name: string, shape: number[], value: number, opts: ParamOptions = {}): tf.Variable {
    checkShape(name, shape);
    return this.create(name, shape, new Float32Array(size(shape)).fill(value), opts);
  }

  /** Registers a variable created elsewhere (an encoding's), so the optimiser and checkpoints see it. Not disposed here. */
  adopt(name: string, variable: tf.Variable, opts: ParamOptions = {}): tf.Variable {
    for (const p of this.byName.values()) {
      if (p.variable === variable) throw new Error(`param "${name}": this variable is already registered as "${p.name}"`);
    }
    return this.add(name, variable, opts, false);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): tf.Variable {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no param named "${name}"`);
    return p.variable;
  }

  /** Params in creation order, optionally only one group. */
  list(group?: ParamGroup): Param[] {
    const all = [...this.byName.values()];
    return group ? all.filter((p) => p.group === group) : all;
  }

  variables(group?: ParamGroup): tf.Variable[] {
    return this.list(group).map((p) => p.variable);
  }

  /** Number of scalar parameters (optionally of one group). */
  count(group?: ParamGroup): number {
    return this.list(group).reduce((s, p) => s + p.variable.size, 0);
  }

  /** Copies of every value, by name. */
  getWeights(): Map<string, SavedTensor> {
    const out = new Map<string, SavedTensor>();
    for (const p of this.byName.values()) {
      out.set(p.name, { shape: [...p.variable.shape], data: new Float32Array(p.variable.dataSync() as Float32Array) });
    }
    return out;
  }

  /** getWeights, read asynchronously (engines with device memory, e.g. webgpu, cannot read synchronously in Node). */
  async getWeightsAsync(): Promise<Map<string, SavedTensor>> {
    const ps = [...this.byName.values()];
    const data = await Promise.all(ps.map((p) => p.variable.data() as Promise<Float32Array>));
    const out = new Map<string, SavedTensor>();
    ps.forEach((p, i) => out.set(p.name, { shape: [...p.variable.shape], data: new Float32Array(data[i]) }));
    return out;
  }

  /**
   * Assigns saved values. Every param must be present with the same shape, and no unknown name may appear: a
   * checkpoint from a different architecture is an error, never a partial load.
   */
  setWeights(weights: Map<string, SavedTensor>): void {
    const missing = [...this.byName.keys()].filter((n) => !weights.has(n));
    const unknown = [...weights.keys()].filter((n) => !this.byName.has(n));
    if (missing.length || unknown.length) {
      throw new Error(
        `setWeights: names do not match the model` +
          (missing.length ? `; missing: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}` : '') +
          (unknown.length ? `; unknown: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', …' : ''}` : ''),
      );
    }
    for (const p of this.byName.values()) {
      const w = weights.get(p.name)!;
      if (w.shape.length !== p.variable.shape.length || w.shape.some((d, i) => d !== p.variable.shape[i])) {
        throw new Error(`setWeights: "${p.name}" has shape [${w.shape}] in the weights but [${p.variable.shape}] in the model`);
      }
      if (w.data.length !== p.variable.size) {
        throw new Error(`setWeights: "${p.name}" has ${w.data.length} values, expected ${p.variable.size}`);
      }
    }
    for (const p of this.byName.values()) {
      const w = weights.get(p.name)!;
      tf.tidy(() => p.variable.assign(tf.tensor(w.data, w.shape, 'float32')));
    }
  }

  /** Disposes the variables this store created (adopted ones stay with their owner). */
  dispose(): void {
    for (const p of this.byName.values()) if (p.owned) p.variable.dispose();
    this.byName.clear();
  }
}
