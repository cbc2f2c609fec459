/**
 * Why does a trained SeqPE language model behave like NoPE at the small profile? Prints, for a run folder:
 * the spread of the position embeddings, and the attention bias p_q·p_k split into its row-constant part (which softmax
 * ignores) and its within-row variation (the only part that can change attention).
 *
 *   npx tsx scripts/diagnose-seqpe.ts results/runs/lm-<hash>
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/backend';
import { buildLm } from '../src/experiments/runners/lm';
import type { LmRunConfig } from '../src/experiments/configs';
import { loadCheckpoint } from '../src/train/checkpoint';
import { logLoss } from '../src/train/progress';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || !fs.existsSync(path.join(dir, 'checkpoint.bin'))) throw new Error('usage: diagnose-seqpe.ts <lm run folder with checkpoint.bin>');
  console.log(describeBackend(await initBackend()));
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as LmRunConfig;
  if (cfg.method.encoding.name !== 'seqpe') throw new Error(`${dir} is a ${cfg.method.encoding.name} run, not SeqPE`);
  const model = buildLm(cfg);
  const saved = loadCheckpoint(path.join(dir, 'checkpoint.bin')).tensors;
  model.params.setWeights(new Map([...saved].filter(([k]) => k.startsWith('param/')).map(([k, t]) => [k.slice(6), t] as const)));
  const T = cfg.train.seqLen;
  tf.tidy(() => {
    const out = model.encoding.apply({ kind: '1d', start: 0, length: T }, { training: false });
    const pe = out.vectors!.main; // [T, d]
    const centred = pe.sub(pe.mean(0, true));
    console.log(`position embeddings [${pe.shape}]: mean norm ${pe.norm('euclidean', 1).mean().dataSync()[0].toFixed(3)}, ` +
      `norm of the part that differs between positions ${centred.norm('euclidean', 1).mean().dataSync()[0].toFixed(4)}`);
    if (out.attnBias) {
      const b = out.attnBias(0); // [H, T, T], before the model's 1/√d_h
      const within = b.sub(b.mean(2, true)).square().mean().sqrt().dataSync()[0];
      console.log(`attention bias p_q·p_k: overall std ${tf.moments(b).variance.sqrt().dataSync()[0].toFixed(4)}, ` +
        `within-row std ${within.toFixed(5)} (softmax only sees the within-row part)`);
    }
  });
  const log = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const ct = log.map((r) => logLoss(r, 'contrastive')).filter((v): v is number => v !== undefined);
  const size = cfg.method.encoding.objectives?.contrastive?.contrastiveSize ?? 32;
  if (ct.length) console.log(`L_δ: first ${ct[0].toFixed(3)}, last ${ct[ct.length - 1].toFixed(3)} (ln ${size} = ${Math.log(size).toFixed(3)} = chance)`);
  model.encoding.dispose();
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
