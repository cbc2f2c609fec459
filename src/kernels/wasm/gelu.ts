/**
 * GELU, tanh or erf form, as ONE forward and ONE backward kernel on the wasm heap. Same functions as src/models/gelu.ts
 * (its test oracle):
 *   tanh: x·σ(z), z = x·(a + b·x²), a = 2√(2/π), b = 0.044715·a   (= 0.5·x·(1 + tanh(z/2)))
 *         d/dx = σ(z) + x·σ(z)·(1 − σ(z))·(a + 3b·x²)
 *   erf:  x·Φ(x);  d/dx = Φ(x) + x·φ(x)
 * The tanh form's σ runs as the backend's SIMD Sigmoid in place on the output (heap.ts wasmUnaryInPlace). JS has no erf: Φ comes from erfc by the Chebyshev-fitted form of Numerical Recipes (erfcc, fractional error < 1.2e-7
 * everywhere, i.e. about one float32 ulp). Only x is saved for the backward pass; it recomputes σ or Φ.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, registerWasmKernel, requireFloat32, requireWasm, wasmUnaryInPlace, type KernelArgs, type WasmBackendLike } from './heap';

export type GeluKind = 'tanh' | 'erf';

const A = 2 * Math.sqrt(2 / Math.PI);
const B = A * 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const FWD = 'SeqpeGeluFwd';
const BWD = 'SeqpeGeluBwd';

/** erfc(z) for z ≥ 0 (Numerical Recipes erfcc; fractional error < 1.2e-7). */
function erfcPos(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  return t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
}

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  const c = 0.5 * erfcPos(Math.abs(x) * Math.SQRT1_2);
  return x >= 0 ? 1 - c : c;
}

function kindOf(attrs: tf.NamedAttrMap | undefined): GeluKind {
  return (attrs?.kind as GeluKind) ?? 'tanh';
}

function forwardKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const x = inputs.x as tf.TensorInfo;
  const y = be.makeOutput([...x.shape], 'float32');
  const xv = f32(be, x), yv = f32(be, y);
  const n = xv.length;
  if (kindOf(attrs) === 'tanh') {
    for (let i = 0; i < n; i++) {
      const v = xv[i];
      yv[i] = v * (A + B * v * v); // z
    }
    wasmUnaryInPlace(be, 'Sigmoid', y); // σ(z)
    for (let i = 0; i < n; i++) yv[i] *= xv[i];
  } else {
    for (let i = 0; i < n; i++) yv[i] = xv[i] * normalCdf(xv[i]);
  }
  return y;
}

function backwardKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const dx = be.makeOutput([...x.shape], 'float32');
  const dyv = f32(be, dy), xv = f32(be, x), dxv = f32(be, dx);
  const n = xv.length;
  if (kindOf(attrs) === 'tanh') {
    for (let i = 0; i < n; i++) {
      const v = xv[i];
      dxv[i] = v * (A + B * v * v); // z
    }
    wasmUnaryInPlace(be, 'Sigmoid', dx); // σ(z)
    for (let i = 0; i < n; i++) {
      const v = xv[i];
      const s = dxv[i];
      dxv[i] = dyv[i] * (s + v * s * (1 - s) * (A + 3 * B * v * v));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = xv[i];
      dxv[i] = dyv[i] * (normalCdf(v) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
    }
  }
  return dx;
}

registerWasmKernel(FWD, forwardKernel);
registerWasmKernel(BWD, backwardKernel);
tf.registerGradient({
  kernelName: FWD,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return { x: () => tf.engine().runKernel(BWD, { dy: dy as tf.Tensor, x }, attrs as tf.NamedAttrMap) as tf.Tensor };
  },
});

/** GELU of x (any shape, float32) → same shape; wasm backend. */
export function gelu<T extends tf.Tensor>(x: T, kind: GeluKind): T {
  const what = 'gelu (wasm kernel)';
  if (kind !== 'tanh' && kind !== 'erf') throw new Error(`${what}: kind must be 'tanh' or 'erf', got '${String(kind)}'`);
  requireWasm(what);
  requireFloat32(what, 'x', x);
  return tf.engine().runKernel(FWD, { x }, { kind } as unknown as tf.NamedAttrMap) as T;
}
