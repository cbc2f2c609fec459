/**
 * Image top-1 accuracy by resolution (spec §2.3): test images resized from their native size to s×s (bilinear), cut into
 * patch×patch patches — the grid grows with s — and classified with the position layout of that grid (each encoding's
 * own rule: SeqPE and RoPE extend, learned APE interpolates bicubically).
 */
import * as tf from '@tensorflow/tfjs';
import type { ViT } from '../models/vit';
import { patchify, resizeImages } from '../data/resize';

export interface AccuracyResult {
  size: number;
  grid: number;
  accuracy: number;
  correct: number;
  count: number;
}

/** The batches of accuracyAt: patchified images and, per batch, a function giving its predicted classes as a tensor. */
function batches(
  model: ViT,
  images: Float32Array,
  labels: Int32Array,
  nativeSize: number,
  size: number,
  patch: number,
  batch: number,
): { grid: number; predict: Array<{ from: number; count: number; run: () => tf.Tensor1D }> } {
  if (size % patch !== 0) throw new Error(`accuracy: resolution ${size} is not a multiple of the patch size ${patch}`);
  const count = labels.length;
  if (images.length !== count * nativeSize * nativeSize) {
    throw new Error(`accuracy: ${images.length} pixels for ${count} images of ${nativeSize}×${nativeSize}`);
  }
  const resized = size === nativeSize ? images : resizeImages(images, nativeSize, size, 'bilinear');
  const p = patchify(resized, size, patch);
  const per = p.rows * p.cols * patch * patch;
  const predict: Array<{ from: number; count: number; run: () => tf.Tensor1D }> = [];
  for (let i = 0; i < count; i += batch) {
    const b = Math.min(batch, count - i);
    predict.push({
      from: i,
      count: b,
      run: () =>
        tf.tidy(() => {
          const x = tf.tensor3d(p.data.subarray(i * per, (i + b) * per), [b, p.rows * p.cols, patch * patch]);
          const logits = model.forward(x, { training: false, layout: { kind: '2d', start: [0, 0], rows: p.rows, cols: p.cols, prefix: 1 } });
          return logits.argMax(-1) as tf.Tensor1D;
        }),
    });
  }
  return { grid: p.rows, predict };
}

export function accuracyAt(
  model: ViT,
  images: Float32Array,
  labels: Int32Array,
  nativeSize: number,
  size: number,
  patch: number,
  batch = 64,
): AccuracyResult {
  const { grid, predict } = batches(model, images, labels, nativeSize, size, patch, batch);
  let correct = 0;
  for (const b of predict) {
    const t = b.run();
    const pred = t.dataSync() as Int32Array;
    t.dispose();
    for (let k = 0; k < b.count; k++) if (pred[k] === labels[b.from + k]) correct++;
  }
  return { size, grid, accuracy: (100 * correct) / labels.length, correct, count: labels.length };
}

/** accuracyAt with asynchronous reads: the same numbers, on every engine (webgpu cannot read synchronously). */
export async function accuracyAtAsync(
  model: ViT,
  images: Float32Array,
  labels: Int32Array,
  nativeSize: number,
  size: number,
  patch: number,
  batch = 64,
): Promise<AccuracyResult> {
  const { grid, predict } = batches(model, images, labels, nativeSize, size, patch, batch);
  let correct = 0;
  for (const b of predict) {
    const t = b.run();
    const pred = (await t.data()) as Int32Array;
    t.dispose();
    for (let k = 0; k < b.count; k++) if (pred[k] === labels[b.from + k]) correct++;
  }
  return { size, grid, accuracy: (100 * correct) / labels.length, correct, count: labels.length };
}

/** accuracyByResolution with asynchronous reads (every engine). */
export async function accuracyByResolutionAsync(
  model: ViT,
  images: Float32Array,
  labels: Int32Array,
  nativeSize: number,
  sizes: readonly number[],
  patch: number,
): Promise<AccuracyResult[]> {
  const out: AccuracyResult[] = [];
  for (const s of sizes) out.push(await accuracyAtAsync(model, images, labels, nativeSize, s, patch));
  return out;
}

export function accuracyByResolution(
  model: ViT,
  images: Float32Array,
  labels: Int32Array,
  nativeSize: number,
  sizes: readonly number[],
  patch: number,
): AccuracyResult[] {
  return sizes.map((s) => accuracyAt(model, images, labels, nativeSize, s, patch));
}
