/** Pieces every runner shares: the trainer config, similarity-map summaries, result files. */
import * as path from 'path';
import type { PositionEncoding, PositionLayout, ModelDims } from '../../encodings/types';
import { layoutPositions } from '../../encodings/types';
import { distanceAwareness, similarityMap, similarityMapAsync, SimilarityMap, SimilaritySource } from '../../eval/similarity';
import type { TrainConfig } from '../../train/loop';
import type { MethodSpec, RunConfig } from '../configs';
import { checkResult } from '../result-check';
import { checkRunConfig } from '../config-check';
import { parseJsonFile } from '../../util/json-file';
import { writeFileAtomic } from '../cache';

export interface TrainSettings {
  steps: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  clip: number;
}

/** Trainer config for a run folder: checkpoints every ~10 % of the run, resumes automatically, JSONL log. */
export function trainerConfig(dir: string, seed: number, t: TrainSettings, method: MethodSpec): TrainConfig {
  return {
    steps: t.steps,
    seed,
    lr: t.lr,
    peLr: method.peLr,
    weightDecay: t.weightDecay,
    schedule: { kind: 'cosine', warmupSteps: t.warmup, minRatio: 0.1 },
    clip: { main: t.clip, pe: t.clip },
    checkpoint: { path: path.join(dir, 'checkpoint.bin'), every: Math.max(10, Math.round(t.steps / 10)) },
    resumeFrom: 'auto',
    progress: { every: Math.max(1, Math.round(t.steps / 100)), mode: 'lines', jsonl: path.join(dir, 'log.jsonl') },
    meta: { method: method.label },
  };
}

export interface MapSummary {
  layout: PositionLayout;
  source: SimilaritySource;
  description: string;
  /** Row-major similarity values, possibly subsampled by `stride` along both axes. */
  size: number;
  stride: number;
  values: number[];
}

/** The paper's heatmap source for an encoding: its raw position vectors where it has them (SeqPE, APE, sinusoidal), else what attention sees. */
export function mapSource(enc: PositionEncoding): SimilaritySource {
  return enc.capabilities.rawVectors ? 'raw' : 'applied';
}

/** The paper's heatmap of `layout` for an encoding (source: mapSource). */
export function mapFor(enc: PositionEncoding, layout: PositionLayout, dims: ModelDims): SimilarityMap {
  return mapSource(enc) === 'raw' ? similarityMap(enc, layout, { source: 'raw' }) : similarityMap(enc, layout, { source: 'applied', dims, layer: 0 });
}

/** mapFor with an asynchronous read (every engine; the runners use this one). */
export function mapForAsync(enc: PositionEncoding, layout: PositionLayout, dims: ModelDims): Promise<SimilarityMap> {
  return mapSource(enc) === 'raw' ? similarityMapAsync(enc, layout, { source: 'raw' }) : similarityMapAsync(enc, layout, { source: 'applied', dims, layer: 0 });
}

export function summariseMap(map: SimilarityMap, layout: PositionLayout, source: SimilaritySource, maxSide = 128): MapSummary {
  const stride = Math.max(1, Math.ceil(map.size / maxSide));
  const size = Math.ceil(map.size / stride);
  const values: number[] = [];
  for (let i = 0; i < map.size; i += stride) for (let j = 0; j < map.size; j += stride) values.push(+map.values[i * map.size + j].toPrecision(5));
  return { layout, source, description: map.description, size, stride, values };
}

/** Distance awareness restricted to the tokens with index in [from, to) of the layout (causal: only keys before the query). */
export function awarenessOn(map: SimilarityMap, layout: PositionLayout, from: number, to: number, causal = false): number {
  const coords = layoutPositions(layout);
  const n = to - from;
  const sub = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sub[i * n + j] = map.values[(from + i) * map.size + from + j];
  return distanceAwareness({ values: sub, size: n, description: map.description }, coords.slice(from, to), { causal });
}

/** Writes result.json after checking it (result-check.ts): a NaN or missing field fails the run instead of being cached. */
export function writeResult(dir: string, result: { kind: RunConfig['kind'] }): void {
  const file = path.join(dir, 'result.json');
  checkResult(file, result, result.kind, 'not written; the checkpoint is kept, so a rerun resumes and evaluates again');
  writeFileAtomic(file, JSON.stringify(result, null, 1));
}

/** A run folder's config.json, checked (config-check.ts: known keys, typed values) before anything is built from it. */
export function readConfig<T extends RunConfig = RunConfig>(dir: string): T {
  const file = path.join(dir, 'config.json');
  const value = parseJsonFile(file);
  checkRunConfig(value, file);
  return value as T;
}
