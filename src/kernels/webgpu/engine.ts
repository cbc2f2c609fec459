/**
 * Two things the WebGPU engine needs around tfjs-backend-webgpu, attached to its backend object once:
 *
 * - a bounded buffer pool. tfjs keeps every freed GPU buffer keyed by exact (size, usage) and never destroys one, so
 *   shapes that change every step (SeqPE's count of distinct positions) grow GPU memory by 0.15–0.55 GB a step until the
 *   device runs out (engine-notes §6). `trimPool()` destroys the free buffers of every key that was not acquired since
 *   the previous trim: a step's steady shapes keep their buffers, one-off shapes lose theirs a step later.
 * - a dispatch counter (each runWebGPUProgram is one compute dispatch), for the bench's dispatches per step.
 *
 * Both reach into tfjs 4.22 internals (bufferManager.freeBuffers / acquireBuffer, runWebGPUProgram); `attach` checks
 * that they exist and fails naming the missing member, so a tfjs upgrade that moves them is caught at start-up.
 */

interface BufferLike {
  destroy(): void;
  size: number;
}
interface BufferManagerLike {
  freeBuffers: Map<string, BufferLike[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  acquireBuffer(size: number, usage: number, ...rest: unknown[]): BufferLike;
}
interface WebGPUBackendLike {
  bufferManager: BufferManagerLike;
  runWebGPUProgram(...args: unknown[]): unknown;
}

export interface PoolStats {
  /** Free (pooled) buffers now. */
  freeBuffers: number;
  /** Bytes of every buffer tfjs has allocated and not destroyed (used + pooled). */
  bytesAllocated: number;
  /** Buffers destroyed by trims so far. */
  destroyed: number;
}

let backend: WebGPUBackendLike | undefined;
let touched = new Set<string>();
let destroyed = 0;
let dispatches = 0;

/** Wraps the backend's buffer acquisition and program runs (idempotent per backend object). */
export function attachWebGPUEngine(b: unknown): void {
  const be = b as WebGPUBackendLike;
  if (be === backend) return;
  const bm = be?.bufferManager;
  if (!bm || !(bm.freeBuffers instanceof Map) || typeof bm.acquireBuffer !== 'function') {
    throw new Error('tfjs-backend-webgpu: bufferManager.freeBuffers/acquireBuffer not found (tfjs internals changed; expected 4.22)');
  }
  if (typeof be.runWebGPUProgram !== 'function') {
    throw new Error('tfjs-backend-webgpu: runWebGPUProgram not found (tfjs internals changed; expected 4.22)');
  }
  const acquire = bm.acquireBuffer.bind(bm);
  bm.acquireBuffer = (size: number, usage: number, ...rest: unknown[]) => {
    touched.add(`${size}_${usage}`); // the pool's own key format (buffer_manager.js getBufferKey)
    return acquire(size, usage, ...rest);
  };
  const run = be.runWebGPUProgram.bind(be);
  be.runWebGPUProgram = (...args: unknown[]) => {
    dispatches++;
    return run(...args);
  };
  backend = be;
  touched = new Set();
}

/**
 * Destroys pooled buffers whose (size, usage) was not acquired since the last trim. Keys stay in the map (emptied, not
 * deleted): tfjs's releaseBuffer pushes to the key's list without checking it exists. No-op when no engine is attached.
 */
export function trimPool(): void {
  if (!backend) return;
  const bm = backend.bufferManager;
  for (const [key, list] of bm.freeBuffers) {
    if (touched.has(key) || list.length === 0) continue;
    for (const buf of list) {
      bm.numBytesAllocated -= buf.size;
      buf.destroy();
    }
    bm.numFreeBuffers -= list.length;
    destroyed += list.length;
    list.length = 0;
  }
  touched = new Set();
}

/** The pool's size now (undefined when no WebGPU engine is attached). */
export function poolStats(): PoolStats | undefined {
  if (!backend) return undefined;
  const bm = backend.bufferManager;
  let free = 0;
  for (const list of bm.freeBuffers.values()) free += list.length;
  return { freeBuffers: free, bytesAllocated: bm.numBytesAllocated, destroyed };
}

/** Compute dispatches issued since the engine was attached (0 when none is). */
export function dispatchCount(): number {
  return dispatches;
}
