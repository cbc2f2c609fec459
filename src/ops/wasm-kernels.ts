/**
 * Kernels the wasm backend lacks, registered in JS so that the ops we need can train there.
 * UnsortedSegmentSum is the gradient of tf.gather (embeddings, index-based gathers).
 */
import * as tf from '@tensorflow/tfjs';

let registered = false;

export function registerWasmExtras(): void {
  if (registered) return;
  registered = true;
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  if (!have.has('UnsortedSegmentSum')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      kernelFunc: ({ inputs, backend, attrs }: any) => {
        const { x, segmentIds } = inputs;
        const numSegments: number = attrs.numSegments;
        if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum (wasm, JS kernel): dtype ${x.dtype}, expected float32`);
        // Allocate the output first: it can grow the wasm heap, which detaches earlier views.
        const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
        const xv = backend.typedArrayFromHeap(x) as Float32Array;
        const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
        const ov = backend.typedArrayFromHeap(out) as Float32Array;
        ov.fill(0);
        const rows = ids.length;
        const inner = rows === 0 ? 0 : x.size / rows;
        for (let i = 0; i < rows; i++) {
          const s = ids[i];
          if (s < 0 || s >= numSegments) continue;
          const o = s * inner;
          const xi = i * inner;
          for (let j = 0; j < inner; j++) ov[o + j] += xv[xi + j];
        }
        return out;
      },
    });
  }
}
