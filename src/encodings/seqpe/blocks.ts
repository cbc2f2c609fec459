/**
 * The SeqPE encoder's transformer blocks (pre-LN), over a row layout (row-layout.ts):
 *
 *   x = x + Drop(Attn(LN1 x));  x = x + Drop(MLP(LN2 x))     MLP = Linear(d→F) · gelu_tanh · Linear(F→d)
 *
 * Dropout masks come from the encoder's own seeded stream (SeededDropout), so the same seed gives the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows, gelu, layerNorm, linear } from '../../kernels/index';
import type { Rng } from '../../util/rng';
import type { ResolvedEncoderConfig } from './config';
import type { ProbDropout, RowLayout } from './row-layout';

/** Inverted dropout whose keep-scaled masks are drawn in JS from a seeded Rng (the encoder's dropout stream). */
export class SeededDropout {
  constructor(private readonly rng: Rng) {}

  apply<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
    if (!training || rate === 0) return x;
    const n = x.size;
    const scale = 1 / (1 - rate);
    const m = new Float32Array(n);
    for (let i = 0; i < n; i++) m[i] = this.rng.next() < rate ? 0 : scale;
    return x.mul(tf.tensor(m, x.shape, 'float32')) as T;
  }
}

/** A parameter of the encoder by its documented name (config.ts). */
export type ParamLookup = (name: string) => tf.Tensor;

/**
 * Runs the blocks over a row layout. With keepAll false the last block computes only the CLS rows (nothing reads the
 * digits' final states), which saves most of its work.
 * @returns the CLS states [count, d], and with keepAll every stage's states [rows, d] (stage 0 = embedded input)
 */
export function runBlocks(
  param: ParamLookup,
  c: ResolvedEncoderConfig,
  layout: RowLayout,
  dropout: SeededDropout,
  training: boolean,
  keepAll: boolean,
): { cls: tf.Tensor2D; states: tf.Tensor2D[] } {
  const d = c.width;
  const p1 = (name: string) => param(name) as tf.Tensor1D;
  const p2 = (name: string) => param(name) as tf.Tensor2D;
  const attnDrop: ProbDropout | undefined =
    training && c.attnDropout > 0 ? <T extends tf.Tensor>(p: T) => dropout.apply(p, c.attnDropout, true) : undefined;
  const { inputTable, inputIndex, clsRows } = layout;
  let x: tf.Tensor2D | undefined; // residual stream [rows | count, d]; undefined before the first block
  const states: tf.Tensor2D[] = keepAll ? [gatherRows(inputTable, inputIndex)] : [];
  for (let l = 0; l < c.layers; l++) {
    const b = `blocks.${l}`;
    const clsOnly = !keepAll && l === c.layers - 1;
    // q, k, v by three products with column blocks of the fused weight: slicing the small weight is cheaper than
    // slicing (and back-propagating through slices of) a large [rows, 3d] activation; and in the last block only
    // the CLS rows need a query.
    const w = p2(`${b}.attn.qkv.w`);
    const bias = p1(`${b}.attn.qkv.b`);
    const col = (i: number): [tf.Tensor2D, tf.Tensor1D] => [w.slice([0, i * d], [d, d]), bias.slice([i * d], [d])];
    const g1 = p1(`${b}.ln1.gamma`);
    const b1 = p1(`${b}.ln1.beta`);
    let q: tf.Tensor2D;
    let k: tf.Tensor2D;
    let v: tf.Tensor2D;
    if (x === undefined) {
      // First block: LayerNorm and projections on the distinct inputs only, then gathered to the rows.
      const qIndex = clsOnly ? clsRows.map((r) => inputIndex[r]) : inputIndex;
      const hT = layerNorm(inputTable, g1, b1, c.lnEps) as tf.Tensor2D; // [base·L + 1, d]
      q = gatherRows(linear(hT, ...col(0)) as tf.Tensor2D, qIndex);
      k = gatherRows(linear(hT, ...col(1)) as tf.Tensor2D, inputIndex);
      v = gatherRows(linear(hT, ...col(2)) as tf.Tensor2D, inputIndex);
      x = gatherRows(inputTable, qIndex);
    } else {
      const h = layerNorm(x, g1, b1, c.lnEps) as tf.Tensor2D;
      q = linear(clsOnly ? layout.cls(h) : h, ...col(0)) as tf.Tensor2D; // [rows | count, d]
      k = linear(h, ...col(1)) as tf.Tensor2D; // [rows, d]
      v = linear(h, ...col(2)) as tf.Tensor2D; // [rows, d]
      if (clsOnly) x = layout.cls(x);
    }
    const a = layout.attend(q, k, v, clsOnly, attnDrop); // [rows | count, d]
    const attnOut = linear(a, p2(`${b}.attn.proj.w`), p1(`${b}.attn.proj.b`));
    x = x.add(dropout.apply(attnOut, c.residDropout, training)) as tf.Tensor2D;
    const h2 = layerNorm(x, p1(`${b}.ln2.gamma`), p1(`${b}.ln2.beta`), c.lnEps);
    const f = gelu(linear(h2, p2(`${b}.mlp.fc.w`), p1(`${b}.mlp.fc.b`)), 'tanh');
    const m = linear(f, p2(`${b}.mlp.proj.w`), p1(`${b}.mlp.proj.b`));
    x = x.add(dropout.apply(m, c.residDropout, training)) as tf.Tensor2D;
    if (keepAll) states.push(x);
  }
  return { cls: keepAll ? layout.cls(x!) : x!, states };
}
