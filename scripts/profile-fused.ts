/**
 * A/B of the fused wasm kernels inside real training steps (issue 9), in one process:
 *   npx tsx scripts/profile-fused.ts [--case small-lm-ape|small-lm-seqpe|small-vit-ape|small-vit-seqpe] [--steps 8] [--loss-steps 100]
 * The two paths are kernel sets (src/kernels/index.ts): 'installed' is the set initBackend() installed for the engine
 * (run it with SEQPE_KERNELS unset, so on wasm that is tuned + wasm-js), 'fused' is fusedWasmKernels(installed) from
 * src/backend.ts, in which the fused wasm kernels replace LayerNorm, GELU, the attention softmax and the cross-entropy.
 * The fused AdamW step is not compared: it is outside the Kernels interface (the optimiser calls no kernel set), so
 * both paths run the same AdamW.
 * For each path: ms per step (min / median of --steps after 2 warm-up), the kernel table of one profiled step (ms and
 * calls per kernel name), and — with --loss-steps N > 0 — the losses of N steps from the same seed on both paths and
 * their largest difference.
 */
import * as tf from '@tensorflow/tfjs';
import { describeBackend, fusedWasmKernels, initBackend } from '../src/backend';
import { createEncoding, type EncodingSpec } from '../src/encodings/index';
import { CausalLM } from '../src/models/causal-lm';
import { ViT } from '../src/models/vit';
import { Trainer } from '../src/train/loop';
import { imageTaskFromImages, lmTask } from '../src/train/tasks';
import { sotuTokenStream } from '../src/data/lm-batches';
import { balancedSubsetIndices, loadMnist, subsetImages } from '../src/data/mnist';
import { PROFILES } from '../src/experiments/profiles';
import { lmSeqpe, vitMethods, vitSeqpe } from '../src/experiments/configs';
import { installKernels, kernels as installedKernels, type Kernels } from '../src/kernels/index';
import { Rng } from '../src/util/rng';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTrainer = Trainer<any, any>;

function build(which: string, steps: number): { trainer: AnyTrainer; dispose(): void } {
  const p = PROFILES.small;
  if (which.startsWith('small-lm')) {
    const tokens = sotuTokenStream('train', { seed: 10086 }).tokens;
    const s = lmSeqpe(p);
    const spec: EncodingSpec = which === 'small-lm-ape' ? { name: 'ape', trainLength: p.lm.seqLen } : s.encoding;
    const enc = createEncoding(spec, { dModel: p.lm.dModel, heads: p.lm.heads, layers: p.lm.layers }, 7);
    const model = new CausalLM({ vocab: 256, dModel: p.lm.dModel, layers: p.lm.layers, heads: p.lm.heads, seed: 1 }, enc);
    const trainer = new Trainer(model, lmTask({ tokens, batch: p.lm.batch, time: p.lm.seqLen }), { steps, seed: 1, lr: p.lm.lr, progress: { mode: 'silent' } });
    return { trainer, dispose: () => { enc.dispose(); model.dispose(); } };
  }
  const v = p.vit;
  const all = loadMnist('train');
  const train = subsetImages(all, balancedSubsetIndices(all.labels, 200, new Rng(31)));
  const m = which === 'small-vit-ape' ? vitMethods(p)[0] : vitSeqpe(p);
  const enc = createEncoding(m.encoding, { dModel: v.dModel, heads: v.heads, layers: v.layers }, 11);
  const model = new ViT({ imageSize: v.nativeSize, patchSize: v.patch, classes: 10, dModel: v.dModel, layers: v.layers, heads: v.heads, dropout: v.dropout, seed: 1 }, enc);
  const task = imageTaskFromImages(train.images, train.labels, v.nativeSize, v.patch, v.batch);
  const trainer = new Trainer(model, task, { steps, seed: 1, lr: v.lr, weightDecay: v.weightDecay, progress: { mode: 'silent' } });
  return { trainer, dispose: () => { enc.dispose(); model.dispose(); } };
}

async function main(): Promise<void> {
  const info = await initBackend();
  const which = arg('case', 'small-lm-ape');
  const steps = Number(arg('steps', '8'));
  const lossSteps = Number(arg('loss-steps', '0'));
  if (info.name !== 'wasm') throw new Error(`profile-fused: the fused kernels run on wasm only, the engine is '${info.name}' (set SEQPE_BACKEND=wasm)`);
  if (info.kernels.includes('wasm-fused')) throw new Error(`profile-fused: the installed set '${info.kernels}' is already fused; unset SEQPE_KERNELS`);
  const sets: Record<'installed' | 'fused', Kernels> = { installed: installedKernels(), fused: fusedWasmKernels(installedKernels()) };
  console.log(`${describeBackend(info)}; case ${which}; installed = ${sets.installed.name}, fused = ${sets.fused.name}`);
  const kernels: Record<string, Map<string, { ms: number; n: number }>> = {};
  for (const fused of [false, true]) {
    installKernels(fused ? sets.fused : sets.installed);
    const { trainer, dispose } = build(which, steps + 3);
    const ms: number[] = [];
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      trainer.stepOnce();
      if (i >= 2) ms.push(performance.now() - t0);
    }
    const prof = await tf.profile(() => { trainer.stepOnce(); });
    const agg = new Map<string, { ms: number; n: number }>();
    for (const k of prof.kernels) {
      const e = agg.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number;
      e.n++;
      agg.set(k.name, e);
    }
    kernels[fused ? 'fused' : 'installed'] = agg;
    ms.sort((a, b) => a - b);
    const total = [...agg.values()].reduce((s, e) => s + e.ms, 0);
    console.log(`${fused ? 'fused    ' : 'installed'} step min ${ms[0].toFixed(1)} ms, median ${ms[ms.length >> 1].toFixed(1)} ms; profiled: ${total.toFixed(1)} ms in ${prof.kernels.length} kernel calls`);
    trainer.dispose();
    dispose();
  }
  const names = new Set([...kernels.installed.keys(), ...kernels.fused.keys()]);
  const rows = [...names].map((n) => ({ n, r: kernels.installed.get(n), f: kernels.fused.get(n) }))
    .sort((a, b) => Math.max(b.r?.ms ?? 0, b.f?.ms ?? 0) - Math.max(a.r?.ms ?? 0, a.f?.ms ?? 0));
  console.log(`${'kernel'.padEnd(30)} ${'installed ms (calls)'.padStart(22)} ${'fused ms (calls)'.padStart(20)}`);
  for (const { n, r, f } of rows.slice(0, 25)) {
    const c = (e?: { ms: number; n: number }) => (e ? `${e.ms.toFixed(1)} (${e.n})` : '—');
    console.log(`${n.padEnd(30)} ${c(r).padStart(22)} ${c(f).padStart(20)}`);
  }
  if (lossSteps > 0) {
    const losses: number[][] = [];
    for (const fused of [false, true]) {
      installKernels(fused ? sets.fused : sets.installed);
      const { trainer, dispose } = build(which, lossSteps);
      const l: number[] = [];
      for (let i = 0; i < lossSteps; i++) l.push(trainer.stepOnce().loss);
      losses.push(l);
      trainer.dispose();
      dispose();
    }
    let worst = 0, at = 0;
    for (let i = 0; i < lossSteps; i++) {
      const d = Math.abs(losses[0][i] - losses[1][i]);
      if (d > worst) { worst = d; at = i + 1; }
    }
    const at10 = [1, 2, 5, 10, 20, 50, 100].filter((k) => k <= lossSteps).map((k) => `${k}: ${Math.abs(losses[0][k - 1] - losses[1][k - 1]).toExponential(1)}`);
    console.log(`|difference| by step: ${at10.join(', ')}`);
    console.log(`loss over ${lossSteps} steps: installed ${losses[0][0].toFixed(4)} → ${losses[0][lossSteps - 1].toFixed(4)}, fused ${losses[1][0].toFixed(4)} → ${losses[1][lossSteps - 1].toFixed(4)}; largest |difference| ${worst.toExponential(2)} at step ${at}`);
  }
  installKernels(sets.installed); // leave the engine's own set installed
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
