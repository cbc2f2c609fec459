/**
 * Image classification with resolution extrapolation (spec §2.3/§4.3), scaled: MNIST at 28 px in 4 px patches (a 7×7
 * grid), top-1 accuracy on test images resized to 28…84 px (7×7…21×21 grids, 3× per side as 224 → 672 in the paper).
 */
import * as tf from '@tensorflow/tfjs';
import { createEncoding } from '../../encodings/index';
import type { ModelDims, PositionLayout } from '../../encodings/types';
import { ViT } from '../../models/vit';
import { balancedSubsetIndices, loadMnist, subsetImages } from '../../data/mnist';
import { imageTaskFromImages } from '../../train/tasks';
import { Trainer } from '../../train/loop';
import { accuracyByResolutionAsync, AccuracyResult } from '../../eval/accuracy';
import { gridRow } from '../../eval/similarity';
import { Rng } from '../../util/rng';
import type { VitRunConfig } from '../configs';
import { awarenessOn, mapForAsync, trainerConfig, writeResult } from './common';

export interface VitResult {
  kind: 'vit';
  label: string;
  accuracy: AccuracyResult[];
  finalTrainLoss: number;
  steps: number;
  trainSeconds: number;
  params: { total: number; pe: number };
  /** Similarity of every patch to a few query patches, on the training grid and on the largest grid. */
  maps: Array<{ grid: number; query: [number, number]; values: number[][] }>;
  awareness: { train: number; largest: number };
}

export function buildVit(cfg: VitRunConfig): ViT {
  const dims: ModelDims = { dModel: cfg.model.dModel, heads: cfg.model.heads, layers: cfg.model.layers };
  const enc = createEncoding(cfg.method.encoding, dims, cfg.seed * 1000 + 11);
  return new ViT(
    { imageSize: cfg.data.nativeSize, patchSize: cfg.data.patch, classes: cfg.model.classes, dModel: cfg.model.dModel,
      layers: cfg.model.layers, heads: cfg.model.heads, dropout: cfg.model.dropout, seed: cfg.seed },
    enc,
  );
}

export async function runVit(cfg: VitRunConfig, dir: string): Promise<VitResult> {
  const trainAll = loadMnist('train');
  const perClass = Math.floor(cfg.data.trainImages / 10);
  const train = subsetImages(trainAll, balancedSubsetIndices(trainAll.labels, perClass, new Rng(cfg.seed * 31 + 1)));
  const test = loadMnist('test', { limit: cfg.data.testImages });
  const model = buildVit(cfg);
  const task = imageTaskFromImages(train.images, train.labels, cfg.data.nativeSize, cfg.data.patch, cfg.train.batch);
  const t0 = Date.now();
  const trainer = new Trainer(model, task, trainerConfig(dir, cfg.seed, cfg.train, cfg.method));
  const tr = await trainer.run();
  trainer.dispose();
  const trainSeconds = (Date.now() - t0) / 1000;
  const accuracy = await accuracyByResolutionAsync(model, test.images, test.labels, cfg.data.nativeSize, cfg.eval.sizes, cfg.data.patch);
  const dims: ModelDims = { dModel: cfg.model.dModel, heads: cfg.model.heads, layers: cfg.model.layers };
  const side = cfg.data.nativeSize / cfg.data.patch;
  const big = Math.max(...cfg.eval.sizes) / cfg.data.patch;
  const maps: VitResult['maps'] = [];
  const aw: number[] = [];
  for (const g of [side, big]) {
    const layout: PositionLayout = { kind: '2d', start: [0, 0], rows: g, cols: g, prefix: 1 };
    const m = await mapForAsync(model.encoding, layout, dims);
    aw.push(awarenessOn(m, layout, 0, g * g));
    const mid = Math.floor(g / 2);
    for (const q of [[0, 0], [mid, mid], [g - 1, 0], [g - 1, g - 1]] as Array<[number, number]>) {
      maps.push({ grid: g, query: q, values: gridRow(m, layout, q).map((r) => r.map((v) => +v.toPrecision(5))) });
    }
  }
  const result: VitResult = {
    kind: 'vit',
    label: cfg.method.label,
    accuracy,
    finalTrainLoss: tr.finalLoss,
    steps: tr.steps,
    trainSeconds,
    params: { total: model.params.count(), pe: model.params.count('pe') },
    maps,
    awareness: { train: aw[0], largest: aw[1] },
  };
  model.encoding.dispose();
  model.dispose();
  writeResult(dir, result);
  if (tf.memory().numTensors > 50) console.warn(`vit run: ${tf.memory().numTensors} tensors still allocated at the end`);
  return result;
}
