/**
 * Axial RoPE-2D (`rotary_2d`, RoPE-ViT's "axial"; spec §5). Frequencies f_k = base^{−4k/d_h}, k = 0..d_h/4−1. For a patch
 * at (row h, col w) the d_h/2 pair angles are concat(w·f, h·f): the first d_h/4 interleaved pairs rotate with the column,
 * the last d_h/4 with the row. Shared by all heads and layers; patch tokens only (the CLS prefix gets angle 0).
 * q·k then depends on positions only through the 2-D offset (Δh, Δw).
 * Base: 100 by default (the class default and RoPE-ViT's choice; the official CLI default would be 10000 — pass it if wanted).
 */
import * as tf from '@tensorflow/tfjs';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout, layoutPositions } from './types';
import { checkLayout, fixedRotation, headDim } from './rotate';

export interface Rope2dConfig {
  /** Frequency base; default 100. */
  base?: number;
}

export class RoPE2D implements PositionEncoding {
  readonly name = 'rope2d';
  readonly dims = 2 as const;
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: true,
    rawVectors: false,
    extraPositions: false,
    shiftedWindows: { '1d': false, '2d': true },
    objectives: false,
  };
  readonly variables: tf.Variable[] = [];
  readonly dHead: number;
  readonly base: number;
  /** f_k = base^{−4k/d_h}, k = 0..d_h/4−1. */
  private readonly freqs: Float64Array;

  constructor(private readonly model: ModelDims, config: Rope2dConfig = {}) {
    this.dHead = headDim('rope2d', model, 4);
    this.base = config.base ?? 100;
    if (!(this.base > 1) || !Number.isFinite(this.base)) throw new Error(`rope2d: base must be a finite number > 1, got ${this.base}`);
    const q = this.dHead / 4;
    this.freqs = new Float64Array(q);
    for (let k = 0; k < q; k++) this.freqs[k] = Math.pow(this.base, (-4 * k) / this.dHead);
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map();
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, 2);
    const prefix = layout.prefix ?? 0;
    const pos = layoutPositions(layout); // [[row, col], …] row-major
    const T = pos.length;
    const half = this.dHead / 2;
    const q4 = this.dHead / 4;
    const angles = new Float64Array(T * half);
    for (let t = 0; t < T; t++) {
      const [h, w] = pos[t];
      for (let k = 0; k < q4; k++) {
        angles[t * half + k] = w * this.freqs[k];
        angles[t * half + q4 + k] = h * this.freqs[k];
      }
    }
    return fixedRotation(this.name, this.model, this.dHead, angles, T, prefix);
  }

  dispose(): void {
    /* nothing kept between calls */
  }
}
