/**
 * RoPE, 1-D (`rotary` in the official code; spec §5): q and k of every layer are rotated pairwise by angles
 * θ_k(t) = t · base^{−2k/d_h}, k = 0..d_h/2−1, over interleaved pairs (x_{2k}, x_{2k+1}); the same rotation for every
 * head and layer. Then q_m·k_n depends on positions only through m − n.
 * Extrapolation ("extend", §1.9): longer windows simply use larger t. Prefix tokens (if any) get angle 0: untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout } from './types';
import { checkLayout, fixedRotation, headDim } from './rotate';

export interface RopeConfig {
  /** Frequency base; 10000 as in the paper's LM runs. */
  base?: number;
}

/** Inverse frequencies base^{−2k/d_h}, k = 0..d_h/2−1. */
export function ropeFrequencies(dHead: number, base: number): Float64Array {
  const f = new Float64Array(dHead / 2);
  for (let k = 0; k < dHead / 2; k++) f[k] = Math.pow(base, (-2 * k) / dHead);
  return f;
}

export class RoPE implements PositionEncoding {
  readonly name = 'rope';
  readonly dims = 1 as const;
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: true,
    rawVectors: false,
    extraPositions: false,
    shiftedWindows: { '1d': true, '2d': false },
    objectives: false,
  };
  readonly variables: tf.Variable[] = [];
  readonly dHead: number;
  readonly base: number;
  private readonly freqs: Float64Array;

  constructor(private readonly model: ModelDims, config: RopeConfig = {}) {
    this.dHead = headDim('rope', model, 2);
    this.base = config.base ?? 10000;
    if (!(this.base > 1) || !Number.isFinite(this.base)) throw new Error(`rope: base must be a finite number > 1, got ${this.base}`);
    this.freqs = ropeFrequencies(this.dHead, this.base);
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map();
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, 1);
    if (layout.kind !== '1d') throw new Error('unreachable');
    const prefix = layout.prefix ?? 0;
    const T = layout.length;
    const half = this.dHead / 2;
    const angles = new Float64Array(T * half);
    for (let t = 0; t < T; t++) for (let k = 0; k < half; k++) angles[t * half + k] = (layout.start + t) * this.freqs[k];
    return fixedRotation(this.name, this.model, this.dHead, angles, T, prefix);
  }

  dispose(): void {
    /* nothing kept between calls */
  }
}
