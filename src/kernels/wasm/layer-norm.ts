/**
 * LayerNorm over the last axis (eps 1e-5) as ONE forward and ONE backward kernel on the wasm heap. Same function as
 * src/models/layer-norm.ts layerNormFast (its test oracle):
 *   x̂ = (x − μ)·r, r = 1/√(σ² + ε);  y = x̂·γ + β
 *   dx = r·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ;   dγ = Σ_rows dy·x̂;   dβ = Σ_rows dy
 * Row statistics are accumulated in float64 (the reference accumulates in float32, so the two differ by rounding only).
 * The forward kernel also returns μ and r per row [N] so the backward pass recomputes x̂ instead of saving it.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, registerWasmKernel, requireFloat32, requireWasm, sizeOf, type KernelArgs, type WasmBackendLike } from './heap';

const EPS = 1e-5;
const FWD = 'SeqpeLayerNormFwd';
const BWD = 'SeqpeLayerNormBwd';

function forwardKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackendLike;
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  const d = x.shape[x.shape.length - 1];
  const n = sizeOf(x.shape) / d;
  const y = be.makeOutput([...x.shape], 'float32');
  const mean = be.makeOutput([n], 'float32');
  const rstd = be.makeOutput([n], 'float32');
  // Views only now: the allocations above may have grown (and detached) the heap.
  const xv = f32(be, x), gv = f32(be, gamma), bv = f32(be, beta), yv = f32(be, y), mv = f32(be, mean), rv = f32(be, rstd);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += xv[o + j];
    const mu = s / d;
    let ss = 0;
    for (let j = 0; j < d; j++) {
      const c = xv[o + j] - mu;
      ss += c * c;
    }
    const r = 1 / Math.sqrt(ss / d + EPS);
    for (let j = 0; j < d; j++) yv[o + j] = (xv[o + j] - mu) * r * gv[j] + bv[j];
    mv[i] = mu;
    rv[i] = r;
  }
  return [y, mean, rstd];
}

function backwardKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackendLike;
  const { dy, x, gamma, mean, rstd } = inputs as Record<string, tf.TensorInfo>;
  const d = x.shape[x.shape.length - 1];
  const n = sizeOf(x.shape) / d;
  const dx = be.makeOutput([...x.shape], 'float32');
  const dg = be.makeOutput([d], 'float32');
  const db = be.makeOutput([d], 'float32');
  const dyv = f32(be, dy), xv = f32(be, x), gv = f32(be, gamma), mv = f32(be, mean), rv = f32(be, rstd);
  const dxv = f32(be, dx), dgv = f32(be, dg), dbv = f32(be, db);
  const accG = new Float64Array(d);
  const accB = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const mu = mv[i], r = rv[i];
    let sg = 0, sgx = 0;
    for (let j = 0; j < d; j++) {
      const xh = (xv[o + j] - mu) * r;
      const dyj = dyv[o + j];
      const g = dyj * gv[j];
      sg += g;
      sgx += g * xh;
      accG[j] += dyj * xh;
      accB[j] += dyj;
    }
    const mg = sg / d, mgx = sgx / d;
    for (let j = 0; j < d; j++) {
      const xh = (xv[o + j] - mu) * r;
      dxv[o + j] = r * (dyv[o + j] * gv[j] - mg - xh * mgx);
    }
  }
  for (let j = 0; j < d; j++) {
    dgv[j] = accG[j];
    dbv[j] = accB[j];
  }
  return [dx, dg, db];
}

registerWasmKernel(FWD, forwardKernel);
registerWasmKernel(BWD, backwardKernel);

const lnOp = tf.customGrad(((x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
  const [y, mean, rstd] = tf.engine().runKernel(FWD, { x, gamma, beta }, {}) as tf.Tensor[];
  save([x, gamma, mean, rstd]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, [sx, sg, sm, sr]: tf.Tensor[]) =>
      tf.engine().runKernel(BWD, { dy, x: sx, gamma: sg, mean: sm, rstd: sr }, {}) as tf.Tensor[],
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
}) as any) as (x: tf.Tensor, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor;

/** LayerNorm of x [..., d] with gain/bias [d] → [..., d]; float32, wasm backend. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor {
  const what = 'layerNorm (wasm kernel)';
  requireWasm(what);
  if (x.rank < 1) throw new Error(`${what}: x must have rank ≥ 1, got a scalar`);
  const d = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || beta.rank !== 1 || gamma.shape[0] !== d || beta.shape[0] !== d) {
    throw new Error(`${what}: gain/bias [${gamma.shape}]/[${beta.shape}] do not match width ${d} of x [${x.shape}]`);
  }
  requireFloat32(what, 'x', x);
  requireFloat32(what, 'gamma', gamma);
  requireFloat32(what, 'beta', beta);
  if (x.size === 0) throw new Error(`${what}: x [${x.shape}] is empty`);
  return lnOp(x, gamma, beta);
}
