/**
 * The attention's softmax with its scale and additive mask/bias fused: ONE forward and ONE backward kernel (plus one
 * reduction kernel for the offset's gradient, only when the offset needs one, e.g. SeqPE's learned attn_bias).
 *
 *   probs = softmax(scale·scores + offset)          over the last axis
 *   dscores = scale·p·(dp − Σⱼ dpⱼ·pⱼ)               doffset = Σ_broadcast dims of p·(dp − Σⱼ dpⱼ·pⱼ)
 *
 * scores [..., Sq, Sk] (attention: [B, H, S, S] = q·kᵀ unscaled); offset has the same rank, each leading dim equal to
 * the scores' or 1 (attention: [1, H|1, S, S] = scaled bias + causal mask), or is null. Today src/models/attention.ts
 * folds the scale into q and adds the offset as separate ops before tf.softmax: same function up to float rounding.
 * Blocked entries (offset −1e9) get exactly 0; the row max is taken after the offset, so exp never overflows.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, registerWasmKernel, requireFloat32, requireWasm, sizeOf, wasmUnaryInPlace, type KernelArgs, type WasmBackendLike } from './heap';

const FWD = 'SeqpeMaskedSoftmax';
const FWD_NO_OFFSET = 'SeqpeScaledSoftmax';
const BWD = 'SeqpeMaskedSoftmaxBwd';
const BWD_OFFSET = 'SeqpeMaskedSoftmaxOffsetBwd';

/** Row index into the offset for each row of the scores (broadcast leading dims map to 0). */
function offsetRows(scoreShape: readonly number[], offShape: readonly number[]): Int32Array {
  const lead = scoreShape.slice(0, -1); // [..., Sq]
  const rows = sizeOf(lead);
  const map = new Int32Array(rows);
  const idx = new Array<number>(lead.length).fill(0);
  for (let r = 0; r < rows; r++) {
    let o = 0;
    for (let a = 0; a < lead.length; a++) o = o * offShape[a] + (offShape[a] === 1 ? 0 : idx[a]);
    map[r] = o;
    for (let a = lead.length - 1; a >= 0; a--) {
      if (++idx[a] < lead[a]) break;
      idx[a] = 0;
    }
  }
  return map;
}

function forwardKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const scores = inputs.scores as tf.TensorInfo;
  const offset = inputs.offset as tf.TensorInfo | undefined;
  const scale = attrs!.scale as number;
  const k = scores.shape[scores.shape.length - 1];
  const rows = sizeOf(scores.shape) / k;
  const rowMap = offset ? offsetRows(scores.shape, offset.shape) : null;
  const out = be.makeOutput([...scores.shape], 'float32');
  const sv = f32(be, scores), pv = f32(be, out);
  const ov = offset ? f32(be, offset) : null;
  // Pass 1 (JS): z − max(z) per row; pass 2: the backend's SIMD Exp in place over all rows; pass 3 (JS): normalise.
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    const oo = rowMap ? rowMap[r] * k : 0;
    let mx = -Infinity;
    for (let j = 0; j < k; j++) {
      const z = scale * sv[o + j] + (ov ? ov[oo + j] : 0);
      pv[o + j] = z;
      if (z > mx) mx = z;
    }
    for (let j = 0; j < k; j++) pv[o + j] -= mx;
  }
  wasmUnaryInPlace(be, 'Exp', out); // allocates nothing, so the views stay valid
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += pv[o + j];
    const inv = 1 / sum;
    for (let j = 0; j < k; j++) pv[o + j] *= inv;
  }
  return out;
}

/** dl = p·(dp − Σ dp·p), row by row, handed to `sink(rowIndex, column, dl)`. */
function rowGrad(pv: Float32Array, dv: Float32Array, k: number, rows: number, sink: (r: number, o: number, j: number, g: number) => void): void {
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let dot = 0;
    for (let j = 0; j < k; j++) dot += dv[o + j] * pv[o + j];
    for (let j = 0; j < k; j++) sink(r, o, j, pv[o + j] * (dv[o + j] - dot));
  }
}

function backwardKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const { probs, dy } = inputs as { probs: tf.TensorInfo; dy: tf.TensorInfo };
  const scale = attrs!.scale as number;
  const k = probs.shape[probs.shape.length - 1];
  const rows = sizeOf(probs.shape) / k;
  const ds = be.makeOutput([...probs.shape], 'float32');
  const pv = f32(be, probs), dv = f32(be, dy), gv = f32(be, ds);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let dot = 0;
    for (let j = 0; j < k; j++) dot += dv[o + j] * pv[o + j];
    for (let j = 0; j < k; j++) gv[o + j] = scale * pv[o + j] * (dv[o + j] - dot);
  }
  return ds;
}

function offsetBackwardKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const { probs, dy, offset } = inputs as { probs: tf.TensorInfo; dy: tf.TensorInfo; offset: tf.TensorInfo };
  const k = probs.shape[probs.shape.length - 1];
  const rows = sizeOf(probs.shape) / k;
  const rowMap = offsetRows(probs.shape, offset.shape);
  const acc = new Float64Array(sizeOf(offset.shape));
  const dOff = be.makeOutput([...offset.shape], 'float32');
  const pv = f32(be, probs), dv = f32(be, dy), gv = f32(be, dOff);
  rowGrad(pv, dv, k, rows, (r, _o, j, g) => {
    acc[rowMap[r] * k + j] += g;
  });
  gv.set(acc);
  return dOff;
}

registerWasmKernel(FWD, forwardKernel);
registerWasmKernel(FWD_NO_OFFSET, forwardKernel);
registerWasmKernel(BWD, backwardKernel);
registerWasmKernel(BWD_OFFSET, offsetBackwardKernel);

const scoresGrad = (probs: tf.Tensor, dy: tf.Tensor, attrs: tf.NamedAttrMap) => (): tf.Tensor =>
  tf.engine().runKernel(BWD, { probs, dy }, { scale: attrs.scale }) as tf.Tensor;

tf.registerGradient({
  kernelName: FWD,
  inputsToSave: ['offset'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [offset, probs] = saved;
    const d = dy as tf.Tensor;
    return {
      scores: scoresGrad(probs, d, attrs as tf.NamedAttrMap),
      offset: () => tf.engine().runKernel(BWD_OFFSET, { probs, dy: d, offset }, {}) as tf.Tensor,
    };
  },
});
tf.registerGradient({
  kernelName: FWD_NO_OFFSET,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => ({ scores: scoresGrad(saved[0], dy as tf.Tensor, attrs as tf.NamedAttrMap) }),
});

/**
 * softmax(scale·scores + offset) over the last axis.
 * @param scores [..., Sq, Sk] float32
 * @param offset same rank, leading dims equal to the scores' or 1, last two [Sq, Sk]; or null
 * @param scale  finite multiplier of the scores (not of the offset)
 */
export function maskedSoftmax<T extends tf.Tensor>(scores: T, offset: tf.Tensor | null, scale = 1): T {
  const what = 'maskedSoftmax (wasm kernel)';
  requireWasm(what);
  requireFloat32(what, 'scores', scores);
  if (scores.rank < 2) throw new Error(`${what}: scores must have rank ≥ 2 ([..., Sq, Sk]), got [${scores.shape}]`);
  if (scores.size === 0) throw new Error(`${what}: scores [${scores.shape}] are empty`);
  if (!Number.isFinite(scale)) throw new Error(`${what}: scale must be a finite number, got ${scale}`);
  if (offset === null) return tf.engine().runKernel(FWD_NO_OFFSET, { scores }, { scale }) as T;
  requireFloat32(what, 'offset', offset);
  const r = scores.rank;
  const ok = offset.rank === r && offset.shape.every((s, a) => (a >= r - 2 ? s === scores.shape[a] : s === scores.shape[a] || s === 1));
  if (!ok) throw new Error(`${what}: offset [${offset.shape}] does not broadcast to scores [${scores.shape}] (same rank, leading dims equal or 1, last two equal)`);
  return tf.engine().runKernel(FWD, { scores, offset }, { scale }) as T;
}
