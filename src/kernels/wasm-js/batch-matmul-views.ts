/**
 * A faster forward product for batched attention on wasm.
 *
 * Why: tfjs-backend-wasm 4.22 sends any BatchMatMul with batch > 1 to a plain C++ loop (~3.5 GFLOP/s here), while a
 * batch-1 product goes to XNNPACK (~15–20 GFLOP/s). Measured on this machine, [64,128,32]@[64,32,128]: 33–38 ms as one
 * batched op, 7 ms as 64 XNNPACK products. Slicing the batch into 64 tensors costs more than it saves (14 ms of slices),
 * so a small kernel registers *views* — tensor ids that point into the operands' heap memory, no copy — and runs the
 * backend's own batch-1 BatchMatMul on each slice, writing straight into the output. The views are unregistered from
 * the C++ side only (their memory belongs to the real tensors; the JS side never frees it).
 * This relies on backend internals (dataIdMap.memoryOffset, wasm.tfjs.registerTensor/disposeData, the 'BatchMatMul'
 * export) that are stable in the pinned tfjs 4.22; registerBatchMatMulViews() says whether they are there, and
 * src/backend.ts installs this product only then. Results agree with tf.matMul to float rounding (tested).
 */
import * as tf from '@tensorflow/tfjs';
import type { RawProduct } from '../tuned/batch-matmul';

export const VIEWS_KERNEL = 'SeqpeBatchMatMulViews';

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

/**
 * Registers the view kernel on the wasm backend if its internals are present; returns whether it is usable.
 * Call with the wasm backend active (src/backend.ts does, right after selecting it).
 */
export function registerBatchMatMulViews(): boolean {
  if (tf.getKernel(VIEWS_KERNEL, 'wasm')) return true;
  const be = tf.findBackend('wasm') as unknown as Partial<WasmBackendLike> | null;
  const ok =
    !!be &&
    !!be.dataIdMap &&
    typeof be.dataIdNextNumber === 'number' &&
    typeof be.makeOutput === 'function' &&
    typeof be.wasm?.cwrap === 'function' &&
    typeof be.wasm?.tfjs?.registerTensor === 'function' &&
    typeof be.wasm?.tfjs?.disposeData === 'function';
  if (ok) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    tf.registerKernel({ kernelName: VIEWS_KERNEL, backendName: 'wasm', kernelFunc: viewKernel as any });
  }
  return ok;
}

/** Forward product through the views (batch > 1), else tf.matMul (batch 1 already goes to XNNPACK; empty operands). */
export const viewsMatMulRaw: RawProduct = <R extends tf.Tensor>(a: R, b: tf.Tensor): R => {
  const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (a.size === 0 || b.size === 0 || batch <= 1) return tf.matMul(a as unknown as tf.Tensor3D, b as tf.Tensor3D) as unknown as R;
  return tf.engine().runKernel(VIEWS_KERNEL, { a, b }, {}) as unknown as R;
};
