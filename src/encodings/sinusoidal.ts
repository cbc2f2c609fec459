/**
 * Fixed sinusoidal position embedding (`sin`, spec §5), added at the input. Interleaved:
 *   PE[t, j] = sin(t / base^{2⌊j/2⌋/d}) for even j,  cos(t / base^{2⌊j/2⌋/d}) for odd j,  base 10000.
 * So t = 0 gives [0, 1, 0, 1, …]. Extrapolation: "extend" (evaluate larger t).
 *
 * Which t each token gets:
 * - 1-D: positioned token i has t = start + i; prefix tokens get a zero row (no position).
 * - 2-D (the ViT "1-D sinusoidal" variant): the whole token sequence is numbered, prefix (CLS) first: prefix token p has
 *   t = p, patch (r, c) of the grid has t = prefix + r·cols + c, i.e. CLS at 0 and patches at 1..N. A flattened index
 *   has no meaning for a shifted sub-grid, so 2-D layouts must start at [0, 0].
 * Values are computed in float64 and rounded once, so large t stay accurate.
 */
import * as tf from '@tensorflow/tfjs';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout } from './types';
import { checkLayout, headDim } from './rotate';

export interface SinusoidalConfig {
  /** Frequency base; default 10000. */
  base?: number;
}

/** Rows PE[t] for the given positions t, as a Float32Array [positions.length, d] (row-major). */
export function sinusoidalRows(positions: ArrayLike<number>, d: number, base = 10000): Float32Array {
  const inv = new Float64Array(d);
  for (let j = 0; j < d; j++) inv[j] = Math.pow(base, -(2 * Math.floor(j / 2)) / d);
  const out = new Float32Array(positions.length * d);
  for (let i = 0; i < positions.length; i++) {
    const t = positions[i];
    for (let j = 0; j < d; j++) {
      const a = t * inv[j];
      out[i * d + j] = j % 2 === 0 ? Math.sin(a) : Math.cos(a);
    }
  }
  return out;
}

export class Sinusoidal implements PositionEncoding {
  readonly name = 'sinusoidal';
  readonly dims = 'any' as const;
  /** 1-D windows may start anywhere; a flattened 2-D grid must start at the origin. */
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: true,
    rawVectors: true,
    extraPositions: false,
    shiftedWindows: { '1d': true, '2d': false },
    objectives: false,
  };
  readonly variables: tf.Variable[] = [];
  readonly base: number;

  constructor(private readonly model: ModelDims, config: SinusoidalConfig = {}) {
    headDim('sinusoidal', model, 1);
    this.base = config.base ?? 10000;
    if (!(this.base > 1) || !Number.isFinite(this.base)) throw new Error(`sinusoidal: base must be a finite number > 1, got ${this.base}`);
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map();
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, 'any');
    const d = this.model.dModel;
    const prefix = layout.prefix ?? 0;
    if (layout.kind === '1d') {
      const ts = Array.from({ length: layout.length }, (_, i) => layout.start + i);
      const table = new Float32Array((prefix + layout.length) * d); // prefix rows stay 0
      table.set(sinusoidalRows(ts, d, this.base), prefix * d);
      return withVectors(tf.tensor2d(table, [prefix + layout.length, d]), prefix, layout.length);
    }
    if (layout.start[0] !== 0 || layout.start[1] !== 0) {
      throw new Error(
        `sinusoidal: a 2-D layout must start at [0, 0] (patches use flattened indices prefix + r·cols + c), got start ${JSON.stringify(layout.start)}`,
      );
    }
    const n = prefix + layout.rows * layout.cols;
    const ts = Array.from({ length: n }, (_, i) => i); // CLS 0, patches 1..N (row-major)
    return withVectors(tf.tensor2d(sinusoidalRows(ts, d, this.base), [n, d]), prefix, layout.rows * layout.cols);
  }

  dispose(): void {
    /* nothing kept between calls */
  }
}

/** The added table [prefix + T, d] and its positioned rows [T, d] as the raw position vectors. */
function withVectors(inputAdd: tf.Tensor2D, prefix: number, n: number): EncodingOutput {
  return { inputAdd, vectors: { main: prefix === 0 ? inputAdd : inputAdd.slice([prefix, 0], [n, -1]) } };
}
