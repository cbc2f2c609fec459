/**
 * A finished run's trained weights as `weights.safetensors` next to its result.json, so notebook cells and outside tools
 * (PyTorch: `safetensors.torch.load_file`) can use them from a fresh clone. Checkpoints (checkpoint.bin) hold the
 * optimiser state too, are large and are not committed; the weights file is the committed, documented subset.
 *
 * File: the model's parameters under their own names (`tok_embedding`, `blocks.0.attn.qkv.w`, `pe.encoder.cls`, … as
 * `model.params` names them: the checkpoint's `param/<name>` entries with the prefix stripped), float32, and in
 * `__metadata__`: `format` ("seqpe-ts run weights v1"), `kind` (lm | qa | vit), `config` (the run's config.json, as
 * compact JSON), `step` (training steps behind the weights) and `source` (the checkpoint's SHA-256 of its bytes).
 *
 *   exportRunWeights(dir)          checkpoint.bin → weights.safetensors (scripts/export-weights.ts is the command)
 *   loadRunWeights(dir, model)     weights.safetensors → model.params.setWeights, after checking the config matches
 *   buildRunModel(dir)             the run's model (built from its config.json) with its weights loaded
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../util/safetensors';
import { writeFileAtomic } from '../util/atomic-write';
import { loadCheckpoint } from '../train/checkpoint';
import type { SavedTensor } from '../models/params';
import type { LmRunConfig, QaRunConfig, RunConfig, VitRunConfig } from './configs';
import { stableStringify } from './cache';
import { buildLm } from './runners/lm';
import { buildVit } from './runners/vit';

export const RUN_WEIGHTS_FILE = 'weights.safetensors';
export const RUN_WEIGHTS_FORMAT = 'seqpe-ts run weights v1';
const PARAM_PREFIX = 'param/';

/** What a run's model must offer to take weights (CausalLM and ViT do, through their ParamStore). */
export interface WeightTarget {
  params: { setWeights(weights: Map<string, SavedTensor>): void };
}

export function runWeightsPath(runDir: string): string {
  return path.join(runDir, RUN_WEIGHTS_FILE);
}

function readRunConfig(runDir: string): RunConfig {
  const file = path.join(runDir, 'config.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing; ${runDir} is not a run folder (results/runs/<kind>-<hash>/)`);
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as RunConfig;
  if (!cfg || !['lm', 'qa', 'vit'].includes(cfg.kind)) throw new Error(`${file}: kind ${JSON.stringify(cfg?.kind)}; expected lm, qa or vit`);
  return cfg;
}

/**
 * Write `<runDir>/weights.safetensors` from `<runDir>/checkpoint.bin` (or `checkpointFile`): the `param/*` tensors,
 * prefix stripped, and the run's config in the metadata. Returns the file written and its tensor count.
 */
export function exportRunWeights(runDir: string, checkpointFile = path.join(runDir, 'checkpoint.bin')): { file: string; tensors: number; step: number } {
  const cfg = readRunConfig(runDir);
  if (!fs.existsSync(checkpointFile)) throw new Error(`${checkpointFile} is missing; train the run first (its checkpoint holds the weights)`);
  const bytes = fs.readFileSync(checkpointFile);
  const ck = loadCheckpoint(checkpointFile);
  const tensors = new Map<string, NamedArray>();
  for (const [name, t] of ck.tensors) {
    if (name.startsWith(PARAM_PREFIX)) tensors.set(name.slice(PARAM_PREFIX.length), { shape: [...t.shape], data: t.data });
  }
  if (tensors.size === 0) throw new Error(`${checkpointFile} holds no '${PARAM_PREFIX}*' tensors; is it a training checkpoint?`);
  const step = typeof ck.meta.step === 'number' ? ck.meta.step : -1; // trainer checkpoints record it (loop.ts)
  const metadata: Record<string, string> = {
    format: RUN_WEIGHTS_FORMAT,
    kind: cfg.kind,
    config: stableStringify(cfg),
    step: String(step),
    source: `checkpoint.bin sha256 ${createHash('sha256').update(bytes).digest('hex')}`,
  };
  const file = runWeightsPath(runDir);
  writeFileAtomic(file, Buffer.from(encodeSafetensors(tensors, metadata)));
  return { file, tensors: tensors.size, step };
}

/** Whether the run folder has its weights file. */
export function hasRunWeights(runDir: string): boolean {
  return fs.existsSync(runWeightsPath(runDir));
}

/** The weights file's tensors and metadata, after checking that it belongs to this run folder (same config). */
export function readRunWeights(runDir: string): { tensors: Map<string, SavedTensor>; metadata: Record<string, string> } {
  const file = runWeightsPath(runDir);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: train the run (npm run reproduce) and export its weights (npx tsx scripts/export-weights.ts ${runDir})`);
  }
  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), file);
  if (metadata.format !== RUN_WEIGHTS_FORMAT) {
    throw new Error(`${file}: __metadata__.format is ${JSON.stringify(metadata.format)}; expected "${RUN_WEIGHTS_FORMAT}"`);
  }
  const cfg = readRunConfig(runDir);
  if (metadata.config !== stableStringify(cfg)) {
    throw new Error(`${file} was exported from a different run config than ${path.join(runDir, 'config.json')}; export it again`);
  }
  return { tensors, metadata };
}

/** Load the run's weights into `model` (built from the same config). Returns the file's metadata. */
export function loadRunWeights(runDir: string, model: WeightTarget): Record<string, string> {
  const { tensors, metadata } = readRunWeights(runDir);
  model.params.setWeights(tensors); // names and shapes are checked there, and a mismatch names them
  return metadata;
}

/** The run's model rebuilt from its config.json, with its trained weights. The caller disposes it. */
export function buildRunModel(runDir: string): ReturnType<typeof buildLm> | ReturnType<typeof buildVit> {
  const cfg = readRunConfig(runDir);
  const model = cfg.kind === 'vit'
    ? buildVit(cfg as VitRunConfig)
    : cfg.kind === 'qa'
      ? buildLm({ ...(cfg as QaRunConfig).base, method: cfg.method })
      : buildLm(cfg as LmRunConfig);
  try {
    loadRunWeights(runDir, model);
  } catch (e) {
    model.encoding.dispose();
    model.dispose();
    throw e;
  }
  return model;
}
