/**
 * Engine parity probe (run by test/kernels/webgpu.test.ts once per engine, in its own process, because the WebGPU engine
 * needs LD_LIBRARY_PATH set before node starts): tiny models of the quick profile, 10 steps each, then evaluation.
 *
 *   SEQPE_BACKEND=wasm   tsx scripts/gpu/parity.ts [--pool-steps N] > wasm.json
 *   SEQPE_BACKEND=webgpu tsx scripts/gpu/parity.ts [--pool-steps N] > webgpu.json
 *
 * Prints one JSON object: backend line; per model the 10 step losses, the evaluation (perplexity at 32/64 tokens,
 * accuracy at 28/40 px) and the live tensor count before and after; with --pool-steps N, the WebGPU buffer pool after
 * each of N SeqPE LM steps (free buffers, bytes allocated), with the pool trim on or off (SEQPE_WEBGPU_NO_TRIM=1).
 */
import * as tf from '@tensorflow/tfjs';
import { describeBackend, engineStepEnd, initBackend } from '../../src/backend';
import { createEncoding, type EncodingSpec } from '../../src/encodings/index';
import { CausalLM } from '../../src/models/causal-lm';
import { ViT } from '../../src/models/vit';
import { Trainer } from '../../src/train/loop';
import { imageTaskFromImages, lmTask } from '../../src/train/tasks';
import { sotuTokenStream } from '../../src/data/lm-batches';
import { balancedSubsetIndices, loadMnist, subsetImages } from '../../src/data/mnist';
import { PROFILES } from '../../src/experiments/profiles';
import { lmSeqpe, vitSeqpe } from '../../src/experiments/configs';
import { perplexityByLengthAsync } from '../../src/eval/perplexity';
import { accuracyByResolutionAsync } from '../../src/eval/accuracy';
import { poolStats } from '../../src/kernels/webgpu/engine';
import { Rng } from '../../src/util/rng';

const STEPS = 10;
const q = PROFILES.quick;

async function lm(spec: EncodingSpec, tokens: Int32Array, test: Int32Array, steps = STEPS, pool?: Array<{ free: number; bytes: number }>) {
  const before = tf.memory().numTensors;
  const enc = createEncoding(spec, { dModel: q.lm.dModel, heads: q.lm.heads, layers: q.lm.layers }, 7);
  const model = new CausalLM({ vocab: 256, dModel: q.lm.dModel, layers: q.lm.layers, heads: q.lm.heads, seed: 1 }, enc);
  const t = new Trainer(model, lmTask({ tokens, batch: q.lm.batch, time: q.lm.seqLen }), { steps, seed: 1, lr: 3e-3, progress: { mode: 'silent' } });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push((await t.stepAsync()).loss);
    const p = poolStats();
    if (pool && p) pool.push({ free: p.freeBuffers, bytes: p.bytesAllocated });
  }
  t.dispose();
  const ppl = pool ? [] : (await perplexityByLengthAsync(model, test, [32, 64], { maxTokens: 512 })).map((r) => r.nll);
  enc.dispose();
  model.dispose();
  return { losses, evalNll: ppl, tensorsBefore: before, tensorsAfter: tf.memory().numTensors };
}

async function vit() {
  const before = tf.memory().numTensors;
  const v = q.vit;
  const all = loadMnist('train', { limit: 2000 });
  const train = subsetImages(all, balancedSubsetIndices(all.labels, 20, new Rng(31)));
  const test = loadMnist('test', { limit: 64 });
  const enc = createEncoding(vitSeqpe(q).encoding, { dModel: v.dModel, heads: v.heads, layers: v.layers }, 11);
  const model = new ViT({ imageSize: v.nativeSize, patchSize: v.patch, classes: 10, dModel: v.dModel, layers: v.layers, heads: v.heads, seed: 1 }, enc);
  const task = imageTaskFromImages(train.images, train.labels, v.nativeSize, v.patch, v.batch);
  const t = new Trainer(model, task, { steps: STEPS, seed: 1, lr: v.lr, weightDecay: v.weightDecay, progress: { mode: 'silent' } });
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) losses.push((await t.stepAsync()).loss);
  t.dispose();
  const acc = (await accuracyByResolutionAsync(model, test.images, test.labels, v.nativeSize, [28, 40], v.patch)).map((r) => r.correct);
  enc.dispose();
  model.dispose();
  return { losses, evalCorrect: acc, tensorsBefore: before, tensorsAfter: tf.memory().numTensors };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--pool-steps');
  const poolSteps = i >= 0 ? Number(process.argv[i + 1]) : 0;
  const info = await initBackend();
  const split = { seed: 10086 };
  const tokens = sotuTokenStream('train', split).tokens.subarray(0, 200_000);
  const test = sotuTokenStream('test', split).tokens;
  if (poolSteps > 0) {
    const pool: Array<{ free: number; bytes: number }> = [];
    await lm(lmSeqpe(q).encoding, tokens, test, poolSteps, pool);
    engineStepEnd();
    console.log(JSON.stringify({ backend: describeBackend(info), pool }));
    return;
  }
  const out = {
    backend: describeBackend(info),
    lmApe: await lm({ name: 'ape', trainLength: q.lm.seqLen }, tokens, test),
    lmSeqpe: await lm(lmSeqpe(q).encoding, tokens, test),
    vitSeqpe: await vit(),
  };
  console.log(JSON.stringify(out));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
