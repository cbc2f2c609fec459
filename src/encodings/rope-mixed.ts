/**
 * RoPE-Mixed (`rotary_mixed`, Heo et al. 2024 "Rotary Position Embedding for Vision Transformer"; spec §5).
 * Every layer and head has learnable frequency vectors f_x, f_y ∈ R^{d_h/2}; a patch at (row h, col w) rotates pair k by
 * angle_k = w·f_x,k + h·f_y,k, applied like RoPE-2D (interleaved pairs, patch tokens only, CLS prefix untouched).
 * Because the angle is linear in (w, h), q·k still depends only on the 2-D offset, per head.
 *
 * Init (per layer, per head): mag_k = θ^{−4k/d_h} (k < d_h/4), a random angle a ~ U[0, 2π) drawn from the seeded Rng,
 *   f_x = [mag·cos a, mag·cos(a + π/2)],  f_y = [mag·sin a, mag·sin(a + π/2)].
 * θ defaults to 10, the RoPE-Mixed paper's value for ViTs (the official SeqPE class default is 100; pass theta: 100 to
 * match that instead).
 * Trainable: cos/sin are computed from the variables with tf ops inside qk(), so gradients reach the frequencies.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../kernels/index';
import { Rng } from '../util/rng';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout, layoutPositions } from './types';
import { checkLayer, checkLayout, checkQk, headDim, rotateHalfMatrix, rotatePairs } from './rotate';

export interface RopeMixedConfig {
  /** Frequency magnitude base θ; default 10. */
  theta?: number;
}

/** Initial frequencies of one layer: [2, heads, d_h/2] (axis 0: f_x then f_y), row-major. */
export function ropeMixedInit(heads: number, dHead: number, theta: number, rng: Rng): Float32Array {
  const half = dHead / 2;
  const q4 = dHead / 4;
  const out = new Float32Array(2 * heads * half);
  for (let h = 0; h < heads; h++) {
    const a = rng.next() * 2 * Math.PI;
    for (let k = 0; k < q4; k++) {
      const mag = Math.pow(theta, (-4 * k) / dHead);
      const ox = h * half; // f_x block of head h
      const oy = heads * half + h * half; // f_y block of head h
      out[ox + k] = mag * Math.cos(a);
      out[ox + q4 + k] = mag * Math.cos(a + Math.PI / 2);
      out[oy + k] = mag * Math.sin(a);
      out[oy + q4 + k] = mag * Math.sin(a + Math.PI / 2);
    }
  }
  return out;
}

/** E [d_h/2, d_h] with E[k, 2k] = E[k, 2k+1] = 1: repeats each pair angle over its two coordinates (via matMul). */
function pairExpandMatrix(dHead: number): tf.Tensor2D {
  const half = dHead / 2;
  const e = new Float32Array(half * dHead);
  for (let k = 0; k < half; k++) {
    e[k * dHead + 2 * k] = 1;
    e[k * dHead + 2 * k + 1] = 1;
  }
  return tf.tensor2d(e, [half, dHead]);
}

export class RoPEMixed implements PositionEncoding {
  readonly name = 'rope-mixed';
  readonly dims = 2 as const;
  /** One variable per layer, [2, heads, d_h/2]: f_x (index 0) and f_y (index 1) of every head. */
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: true,
    rawVectors: false,
    extraPositions: false,
    shiftedWindows: { '1d': false, '2d': true },
    objectives: false,
  };
  readonly variables: tf.Variable[];
  readonly dHead: number;
  readonly theta: number;

  constructor(private readonly model: ModelDims, config: RopeMixedConfig = {}, rng: Rng | number = 0) {
    this.dHead = headDim('rope-mixed', model, 4);
    this.theta = config.theta ?? 10;
    if (!(this.theta > 1) || !Number.isFinite(this.theta)) {
      throw new Error(`rope-mixed: theta must be a finite number > 1, got ${this.theta}`);
    }
    const r = typeof rng === 'number' ? new Rng(rng) : rng;
    const { heads, layers } = model;
    this.variables = [];
    for (let l = 0; l < layers; l++) {
      const init = ropeMixedInit(heads, this.dHead, this.theta, r);
      const t = tf.tensor3d(init, [2, heads, this.dHead / 2]);
      this.variables.push(tf.variable(t, true));
      t.dispose(); // the variable holds its own reference to the data
    }
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map(this.variables.map((v, l) => [`freqs.${l}`, v] as [string, tf.Variable]));
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, 2);
    const prefix = layout.prefix ?? 0;
    const pos = layoutPositions(layout); // [[row, col], …]
    const T = pos.length;
    const wh = new Float32Array(T * 2);
    pos.forEach(([h, w], t) => {
      wh[2 * t] = w; // multiplies f_x
      wh[2 * t + 1] = h; // multiplies f_y
    });
    const { heads, layers } = this.model;
    const dHead = this.dHead;
    const posT = tf.tensor2d(wh, [T, 2]);
    const expand = pairExpandMatrix(dHead);
    const perm = rotateHalfMatrix(dHead);
    const padCos = prefix > 0 ? tf.ones([heads, prefix, dHead]) : undefined;
    const padSin = prefix > 0 ? tf.zeros([heads, prefix, dHead]) : undefined;
    return {
      qk: (layer, q, k) => {
        checkLayer(this.name, layer, layers);
        checkQk(this.name, q, k, heads, prefix + T, dHead);
        return tf.tidy(() => {
          const f = this.variables[layer].reshape([2 * heads, dHead / 2]) as tf.Tensor2D; // [2·H, d_h/2]
          const fe = matMul(f, expand).reshape([2, heads * dHead]) as tf.Tensor2D; // [2, H·d_h], pairs repeated
          const ang = matMul(posT, fe).reshape([T, heads, dHead]).transpose([1, 0, 2]); // [H, T, d_h]
          let cos: tf.Tensor = tf.cos(ang);
          let sin: tf.Tensor = tf.sin(ang);
          if (padCos && padSin) {
            cos = tf.concat([padCos, cos], 1); // [H, prefix + T, d_h]
            sin = tf.concat([padSin, sin], 1);
          }
          return [rotatePairs(q, cos, sin, perm), rotatePairs(k, cos, sin, perm)];
        }) as [tf.Tensor4D, tf.Tensor4D];
      },
    };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
