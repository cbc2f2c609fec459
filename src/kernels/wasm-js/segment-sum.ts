/**
 * UnsortedSegmentSum for the wasm backend, written in JS over the heap: the gradient of tf.gather (the tuned embedding
 * lookup), which tfjs-backend-wasm 4.22 does not implement.
 */
import * as tf from '@tensorflow/tfjs';

export function registerUnsortedSegmentSum(): void {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  if (have.has('UnsortedSegmentSum')) return;
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
        if (s < 0 || s >= numSegments) continue; // tf.unsortedSegmentSum's contract: out-of-range ids are dropped
        const o = s * inner;
        const xi = i * inner;
        for (let j = 0; j < inner; j++) ov[o + j] += xv[xi + j];
      }
      return out;
    },
  });
}
