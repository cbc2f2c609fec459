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

/** How many of a batch's `count` predictions equal labels[from …]. */
function hits(pred: Int32Array, labels: Int32Array, from: number, count: number): number {
  let n = 0;
  for (let k = 0; k < count; k++) if (pred[k] === labels[from + k]) n++;
  return n;
}

/** The result at `size` from the per-batch hit counts. */
function result(size: number, grid: number, perBatch: number[], count: number): AccuracyResult {
  const correct = perBatch.reduce((a, b) => a + b, 0);
  return { size, grid, accuracy: (100 * correct) / count, correct, count };
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
  const correct = predict.map((b) => {
    const t = b.run();
    const pred = t.dataSync() as Int32Array;
    t.dispose();
    return hits(pred, labels, b.from, b.count);
  });
  return result(size, grid, correct, labels.length);
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
  const correct: number[] = [];
  for (const b of predict) {
    const t = b.run();
    const pred = (await t.data()) as Int32Array;
    t.dispose();
    correct.push(hits(pred, labels, b.from, b.count));
  }
  return result(size, grid, correct, labels.length);
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
