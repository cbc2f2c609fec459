/**
 * ALiBi (Press et al. 2022), as the official SeqPE code applies it (spec §5): head h adds m_h · j to the attention logit
 * of every query for key j, i.e. a bias that only depends on the key index. Under the causal mask, a row's softmax is
 * invariant to adding a constant, so m_h·j ≡ −m_h·(i − j), the textbook ALiBi penalty.
 *
 * - Key index j is counted from the layout start (j = 0 for the first positioned token), not from absolute position 0:
 *   again a per-row constant, so the attention is identical, and the numbers stay small for large start offsets.
 * - Prefix tokens (if any) get bias 0 as keys; as queries they see the same row as everyone else.
 * - The bias is added to the raw logits q·kᵀ BEFORE the 1/√d_h scaling (where the official code adds it), so the
 *   effective slope is m_h/√d_h, e.g. m_h/8 for d_h = 64. This differs from the original paper; it matches the code.
 * - The same bias for every layer. Extrapolation: "extend" (longer windows just use larger j).
 */
import * as tf from '@tensorflow/tfjs';
import { ApplyOptions, checkNoExtraPositions, EncodingCapabilities, EncodingOutput, ModelDims, PositionEncoding, PositionLayout } from './types';
import { checkLayer, checkLayout, headDim } from './rotate';

function powerOfTwoSlopes(n: number): number[] {
  const ratio = Math.pow(2, -8 / n);
  return Array.from({ length: n }, (_, i) => Math.pow(ratio, i + 1));
}

/**
 * ALiBi head slopes. n a power of two: m_i = (2^{−8/n})^{i+1}. Otherwise: the slopes for p = 2^⌊log2 n⌋ followed by
 * every other slope of 2p (indices 0, 2, 4, …), truncated to n in total.
 */
export function alibiSlopes(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`alibiSlopes: number of heads must be a positive integer, got ${n}`);
  const p = Math.pow(2, Math.floor(Math.log2(n)));
  if (p === n) return powerOfTwoSlopes(n);
  const extra = powerOfTwoSlopes(2 * p).filter((_, i) => i % 2 === 0).slice(0, n - p);
  return [...powerOfTwoSlopes(p), ...extra];
}

export class ALiBi implements PositionEncoding {
  readonly name = 'alibi';
  readonly dims = 1 as const;
  readonly capabilities: EncodingCapabilities = {
    carriesPosition: true,
    rawVectors: false,
    extraPositions: false,
    shiftedWindows: { '1d': true, '2d': false },
    objectives: false,
  };
  readonly variables: tf.Variable[] = [];
  readonly slopes: number[];

  constructor(private readonly model: ModelDims) {
    headDim('alibi', model, 1);
    this.slopes = alibiSlopes(model.heads);
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map();
  }

  apply(layout: PositionLayout, opts: ApplyOptions): EncodingOutput {
    checkNoExtraPositions(this.name, opts);
    checkLayout(this.name, layout, 1);
    if (layout.kind !== '1d') throw new Error('unreachable');
    const prefix = layout.prefix ?? 0;
    const n = prefix + layout.length;
    const H = this.model.heads;
    const row = new Float32Array(H * n); // [H, n]: bias of each key column
    for (let h = 0; h < H; h++) for (let j = 0; j < layout.length; j++) row[h * n + prefix + j] = this.slopes[h] * j;
    // Built eagerly so the same tensor serves every layer, whatever tidy scope the model calls attnBias from.
    const bias = tf.tidy(() => tf.broadcastTo(tf.tensor3d(row, [H, 1, n]), [H, n, n]) as tf.Tensor3D); // [heads, n, n]
    const layers = this.model.layers;
    return {
      attnBias: (layer) => {
        checkLayer(this.name, layer, layers);
        return bias;
      },
    };
  }

  dispose(): void {
    /* nothing kept between calls */
  }
}
