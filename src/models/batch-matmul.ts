/**
 * Batched matrix product for the attention core ([batch, heads, S, ·] @ [batch, heads, ·, S]).
 *
 * Why: tfjs-backend-wasm 4.22 sends any BatchMatMul with batch > 1 to a plain C++ loop (~3.5 GFLOP/s here), while a
 * batch-1 product goes to XNNPACK (~15–20 GFLOP/s). Measured on this machine, [64,128,32]@[64,32,128]: 33–38 ms as one
 * batched op, 7 ms as 64 XNNPACK products. Slicing the batch into 64 tensors costs more than it saves (14 ms of slices),
 * so on wasm a small kernel registers *views* — tensor ids that point into the operands' heap memory, no copy — and runs
 * the backend's own batch-1 BatchMatMul on each slice, writing straight into the output. The views are unregistered
 * from the C++ side only (their memory belongs to the real tensors; the JS side never frees it).
 * This relies on backend internals (dataIdMap.memoryOffset, wasm.tfjs.registerTensor/disposeData, the 'BatchMatMul'
 * export) that are stable in the pinned tfjs 4.22; on any other backend, or if those internals are missing, it is
 * tf.matMul. Results agree with tf.matMul to float rounding (tested).
 *
 * The gradient uses the same product with explicit rank-3/4 transposes (never transposeA/B flags, stack-notes §1).
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'SeqpeBatchMatMulViews';
let kernelState: 'unknown' | 'registered' | 'unavailable' = 'unknown';

type WasmBackendLike = {
  dataIdMap: { get(id: object): { memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...a: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
};

let wasmBmm: ((...a: unknown[]) => void) | undefined;

function viewKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const be = backend as WasmBackendLike;
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const r = a.shape.length;
  const m = a.shape[r - 2];
  const k = a.shape[r - 1];
  const n = b.shape[r - 1];
  const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (!wasmBmm) {
    wasmBmm = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
  }
  // Allocate the output first: it may grow the heap (offsets stay valid, typed-array views would not).
  const out = be.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
  const aOff = be.dataIdMap.get(a.dataId).memoryOffset;
  const bOff = be.dataIdMap.get(b.dataId).memoryOffset;
  const oOff = be.dataIdMap.get(out.dataId).memoryOffset;
  const aShape = new Uint8Array(new Int32Array([1, m, k]).buffer);
  const bShape = new Uint8Array(new Int32Array([1, k, n]).buffer);
  const t = be.wasm.tfjs;
  for (let i = 0; i < batch; i++) {
    const ia = be.dataIdNextNumber++;
    const ib = be.dataIdNextNumber++;
    const io = be.dataIdNextNumber++;
    t.registerTensor(ia, m * k, aOff + 4 * i * m * k);
    t.registerTensor(ib, k * n, bOff + 4 * i * k * n);
    t.registerTensor(io, m * n, oOff + 4 * i * m * n);
    wasmBmm(ia, aShape, 3, ib, bShape, 3, false, false, io);
    // C++-side unregistration only (drops any cached XNNPACK operator keyed on the view); memory is not freed.
    t.disposeData(ia);
    t.disposeData(ib);
    t.disposeData(io);
  }
  return out;
}

function viewsAvailable(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (kernelState !== 'unknown') return kernelState === 'registered';
  const be = tf.backend() as unknown as Partial<WasmBackendLike>;
  const ok =
    !!be.dataIdMap &&
    typeof be.dataIdNextNumber === 'number' &&
    typeof be.makeOutput === 'function' &&
    typeof be.wasm?.cwrap === 'function' &&
    typeof be.wasm?.tfjs?.registerTensor === 'function' &&
    typeof be.wasm?.tfjs?.disposeData === 'function';
  if (ok) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: viewKernel as any });
  }
  kernelState = ok ? 'registered' : 'unavailable';
  return ok;
}

function checkOperands(a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== b.rank || (a.rank !== 3 && a.rank !== 4)) {
    throw new Error(`batchMatMul: operands must both be rank 3 or both rank 4, got [${a.shape}] and [${b.shape}]`);
  }
  for (let i = 0; i < a.rank - 2; i++) {
    if (a.shape[i] !== b.shape[i]) throw new Error(`batchMatMul: batch dims differ, [${a.shape}] vs [${b.shape}] (no broadcasting)`);
  }
  if (a.shape[a.rank - 1] !== b.shape[b.rank - 2]) {
    throw new Error(`batchMatMul: inner dims differ, [${a.shape}] @ [${b.shape}]`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`batchMatMul: float32 only, got ${a.dtype} and ${b.dtype}`);
}

/** Forward product only (no gradient); same shapes as tf.matMul. */
export function batchMatMulRaw<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  checkOperands(a, b);
  const empty = a.size === 0 || b.size === 0;
  const useViews = !empty && a.shape.slice(0, -2).reduce((x, y) => x * y, 1) > 1 && viewsAvailable();
  if (!useViews) return tf.matMul(a as unknown as tf.Tensor3D, b as tf.Tensor3D) as unknown as T;
  return tf.engine().runKernel(KERNEL, { a, b }, {}) as unknown as T;
}

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  p[rank - 1] = rank - 2;
  p[rank - 2] = rank - 1;
  return p;
}

const T = (x: tf.Tensor): tf.Tensor => tf.transpose(x, swapLast(x.rank));
const last2 = (x: tf.Tensor): number => x.shape[x.rank - 1] * x.shape[x.rank - 2];

/**
 * da = dy bᵀ, or (b dyᵀ)ᵀ; db = aᵀ dy, or (dyᵀ a)ᵀ — whichever moves fewer elements through transposes (a transpose
 * costs about as much as a product on wasm). E.g. for out = P v in attention, db = Pᵀ dO transposes the [S, S]
 * probabilities while (dOᵀ P)ᵀ only transposes two [S, d_h] tensors.
 */
function gradA(a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return last2(b) <= last2(dy) + last2(a) ? batchMatMulRaw(dy, T(b)) : T(batchMatMulRaw(b, T(dy)));
}

function gradB(a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return last2(a) <= last2(dy) + last2(b) ? batchMatMulRaw(T(a), dy) : T(batchMatMulRaw(T(dy), a));
}

/** a @ b for rank-3/4 operands with equal batch dims; differentiable; fast on wasm (see the file comment). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const batchMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: batchMatMulRaw(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [gradA(sa, sb, dy), gradB(sa, sb, dy)];
    },
  };
}) as any) as <T extends tf.Tensor>(a: T, b: tf.Tensor) => T;
