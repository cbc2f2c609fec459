/**
 * AdamW (Loshchilov & Hutter), written on tf.Variables so its state can be saved and restored exactly. Mirrors
 * torch.optim.AdamW step for step (float32 tensors, bias corrections in float64):
 *
 *   m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
 *   θ ← θ · (1 − lr·λ)             (decoupled weight decay, only params with decay = true)
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * Per-group learning rates: step() takes the lr of each group ('main', 'pe'). A param without a gradient in a step is
 * skipped entirely (no moment update, no decay), like a PyTorch param whose .grad is None.
 */
import * as tf from '@tensorflow/tfjs';
import type { Param, ParamGroup, SavedTensor } from '../models/params';

export interface AdamWConfig {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay λ for params with decay = true. Default 0. */
  weightDecay?: number;
}

export interface AdamWState {
  /** Updates done so far (t of the last update). */
  step: number;
  m: Map<string, SavedTensor>;
  v: Map<string, SavedTensor>;
}

interface Slot {
  param: Param;
  m: tf.Variable;
  v: tf.Variable;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly slots = new Map<string, Slot>();
  /** Kept constant scalars (hoisted out of the per-param loop). */
  private readonly k: { b1: tf.Scalar; c1: tf.Scalar; b2: tf.Scalar; c2: tf.Scalar; eps: tf.Scalar };

  constructor(params: Param[], config: AdamWConfig = {}) {
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? 0;
    for (const [k, v] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new Error(`AdamW: ${k} must be in [0, 1), got ${v}`);
    }
    if (!(this.eps > 0)) throw new Error(`AdamW: eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0) || !Number.isFinite(this.weightDecay)) {
      throw new Error(`AdamW: weightDecay must be a finite number ≥ 0, got ${this.weightDecay}`);
    }
    for (const p of params) {
      if (this.slots.has(p.name)) throw new Error(`AdamW: param "${p.name}" listed twice`);
      // tidy frees the zeros the variables are initialised from (variables themselves are not tidied).
      const [m, v] = tf.tidy(() => [tf.variable(tf.zerosLike(p.variable), false), tf.variable(tf.zerosLike(p.variable), false)]);
      this.slots.set(p.name, { param: p, m, v });
    }
    this.k = tf.tidy(() => ({
      b1: tf.keep(tf.scalar(this.beta1)),
      c1: tf.keep(tf.scalar(1 - this.beta1)),
      b2: tf.keep(tf.scalar(this.beta2)),
      c2: tf.keep(tf.scalar(1 - this.beta2)),
      eps: tf.keep(tf.scalar(this.eps)),
    }));
  }

  /** Updates done so far. */
  get step(): number {
    return this.t;
  }

  /**
   * One update. `grads` maps param names to gradients (missing names are skipped); `lr` gives each group's learning
   * rate for this step.
   */
  apply(grads: Map<string, tf.Tensor>, lr: Record<ParamGroup, number>): void {
    for (const name of grads.keys()) if (!this.slots.has(name)) throw new Error(`AdamW: gradient for unknown param "${name}"`);
    for (const g of ['main', 'pe'] as const) {
      if (!(lr[g] >= 0) || !Number.isFinite(lr[g])) throw new Error(`AdamW: learning rate of group '${g}' must be a finite number ≥ 0, got ${lr[g]}`);
    }
    this.t += 1;
    const bc1 = 1 - Math.pow(this.beta1, this.t);
    const bc2 = 1 - Math.pow(this.beta2, this.t);
    tf.tidy(() => {
      const invSqrtBc2 = tf.scalar(1 / Math.sqrt(bc2));
      const perGroup = {
        main: { step: tf.scalar(-lr.main / bc1), decay: tf.scalar(1 - lr.main * this.weightDecay) },
        pe: { step: tf.scalar(-lr.pe / bc1), decay: tf.scalar(1 - lr.pe * this.weightDecay) },
      };
      const { b1, c1, b2, c2, eps } = this.k;
      for (const [name, g] of grads) {
        const s = this.slots.get(name)!;
        const p = s.param.variable;
        if (g.shape.join() !== p.shape.join()) throw new Error(`AdamW: gradient of "${name}" has shape [${g.shape}], param [${p.shape}]`);
        tf.tidy(() => {
          const m = s.m.mul(b1).add(g.mul(c1));
          const v = s.v.mul(b2).add(g.mul(g).mul(c2));
          s.m.assign(m);
          s.v.assign(v);
          const grp = perGroup[s.param.group];
          const denom = tf.sqrt(v).mul(invSqrtBc2).add(eps);
          const base = s.param.decay && this.weightDecay > 0 ? p.mul(grp.decay) : p;
          p.assign(base.add(m.div(denom).mul(grp.step)));
        });
      }
    });
  }

  getState(): AdamWState {
    const m = new Map<string, SavedTensor>();
    const v = new Map<string, SavedTensor>();
    for (const [name, s] of this.slots) {
      m.set(name, { shape: [...s.m.shape], data: new Float32Array(s.m.dataSync() as Float32Array) });
      v.set(name, { shape: [...s.v.shape], data: new Float32Array(s.v.dataSync() as Float32Array) });
    }
    return { step: this.t, m, v };
  }

  /** getState, read asynchronously (webgpu cannot read synchronously in Node). */
  async getStateAsync(): Promise<AdamWState> {
    const slots = [...this.slots];
    const reads = await Promise.all(slots.flatMap(([, s]) => [s.m.data() as Promise<Float32Array>, s.v.data() as Promise<Float32Array>]));
    const m = new Map<string, SavedTensor>();
    const v = new Map<string, SavedTensor>();
    slots.forEach(([name, s], i) => {
      m.set(name, { shape: [...s.m.shape], data: new Float32Array(reads[2 * i]) });
      v.set(name, { shape: [...s.v.shape], data: new Float32Array(reads[2 * i + 1]) });
    });
    return { step: this.t, m, v };
  }

  /** Restores a saved state; the param names and shapes must match exactly. */
  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`AdamW.setState: step must be an integer ≥ 0, got ${state.step}`);
    for (const [what, map] of [['m', state.m], ['v', state.v]] as const) {
      const missing = [...this.slots.keys()].filter((n) => !map.has(n));
      const unknown = [...map.keys()].filter((n) => !this.slots.has(n));
      if (missing.length || unknown.length) {
        throw new Error(`AdamW.setState: ${what} does not match the params (missing: ${missing.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'})`);
      }
      for (const [name, t] of map) {
        const s = this.slots.get(name)!;
        if (t.shape.join() !== s.m.shape.join() || t.data.length !== s.m.size) {
          throw new Error(`AdamW.setState: ${what}["${name}"] has shape [${t.shape}], expected [${s.m.shape}]`);
        }
      }
    }
    for (const [name, s] of this.slots) {
      const m = state.m.get(name)!;
      const v = state.v.get(name)!;
      tf.tidy(() => {
        s.m.assign(tf.tensor(m.data, m.shape, 'float32'));
        s.v.assign(tf.tensor(v.data, v.shape, 'float32'));
      });
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
    Object.values(this.k).forEach((t) => t.dispose());
  }
}
