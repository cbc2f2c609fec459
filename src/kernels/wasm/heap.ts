/**
 * Shared plumbing of the fused wasm kernels: the slice of the wasm backend they use, one-time registration, and the
 * checks every entry point makes before running.
 *
 * The kernels are plain JS loops over Float32Array views of the wasm heap (no copy in or out). Their gain is the op
 * count, not the arithmetic: one tfjs kernel call costs ~20–100 µs of engine bookkeeping on this stack, so a chain of
 * ten elementwise ops on a small tensor is mostly overhead.
 *
 * Heap trap: makeOutput may grow the wasm memory, which detaches every typed-array view taken before. Each kernel
 * therefore allocates ALL its outputs first and takes views afterwards.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm 4.22's BackendWasm used here. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

const registered = new Set<string>();

/** Registers `kernelFunc` as `name` on the wasm backend once (idempotent across imports and test files). */
export function registerWasmKernel(name: string, kernelFunc: (a: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (registered.has(name)) return;
  registered.add(name);
  if (tf.getKernel(name, 'wasm')) return;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as any });
}

/** Throws unless the active backend is wasm with the heap API these kernels need. */
export function requireWasm(what: string): void {
  const name = tf.getBackend();
  if (name !== 'wasm') throw new Error(`${what}: the fused kernels run on the 'wasm' backend only, active backend is '${name}'`);
  const be = tf.backend() as unknown as Partial<WasmBackendLike>;
  if (typeof be.makeOutput !== 'function' || typeof be.typedArrayFromHeap !== 'function') {
    throw new Error(`${what}: this wasm backend lacks makeOutput/typedArrayFromHeap (pinned tfjs-backend-wasm 4.22 has them)`);
  }
}

export function requireFloat32(what: string, name: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${what}: ${name} must be float32, got ${t.dtype} (shape [${t.shape}])`);
}

/** Float32 view of a tensor on the wasm heap; take it only after every makeOutput of the kernel. */
export function f32(be: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  return be.typedArrayFromHeap(t) as Float32Array;
}

export function i32(be: WasmBackendLike, t: tf.TensorInfo): Int32Array {
  return be.typedArrayFromHeap(t) as Int32Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** The backend internals for calling its own vectorised elementwise kernels on a tensor we allocated. */
interface WasmInternals {
  dataIdMap: { get(id: object): { id: number } };
  wasm: { cwrap(name: string, ret: null, args: string[]): (...a: number[]) => void };
}

const unary = new Map<string, (...a: number[]) => void>();

/**
 * Runs the backend's SIMD Exp or Sigmoid over a whole float32 tensor IN PLACE (same id as input and output). JS's
 * Math.exp costs ~20 ns a value here, the wasm kernels ~1–2 ns, so the kernels write their arguments with JS, call
 * this once, and finish with JS. Only on tensors the calling kernel has just allocated (never on an input).
 */
export function wasmUnaryInPlace(be: WasmBackendLike, name: 'Exp' | 'Sigmoid', t: tf.TensorInfo): void {
  const w = be as unknown as WasmInternals;
  let f = unary.get(name);
  if (!f) {
    // Exp takes (x id, dtype, out id); Sigmoid takes (x id, out id) — as the backend's own kernels call them.
    f = w.wasm.cwrap(name, null, name === 'Exp' ? ['number', 'number', 'number'] : ['number', 'number']);
    unary.set(name, f);
  }
  const id = w.dataIdMap.get(t.dataId).id;
  if (name === 'Exp') f(id, 0 /* CppDType float32 */, id);
  else f(id, id);
}
