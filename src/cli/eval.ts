/**
 * npm run eval -- RUN_FOLDER [--lengths 64,128,...] [--sizes 28,56,...] [--tokens N]
 *
 * Re-evaluates a trained run (its config.json + checkpoint.bin): LM perplexity at the given lengths, or ViT accuracy at
 * the given resolutions. Prints a table; writes nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import type { LmRunConfig, RunConfig, VitRunConfig } from '../experiments/configs';
import { buildLm } from '../experiments/runners/lm';
import { buildVit } from '../experiments/runners/vit';
import { loadCheckpoint } from '../train/checkpoint';
import { sotuTokenStream } from '../data/lm-batches';
import { loadMnist } from '../data/mnist';
import { perplexityByLength } from '../eval/perplexity';
import { accuracyByResolution } from '../eval/accuracy';
import type { TrainableModel } from '../models/types';
import { helpText, parseArgs, type OptionSpec } from './args';

const OPTIONS: OptionSpec[] = [
  { name: 'lengths', type: 'list', help: 'LM evaluation lengths (default: the run’s)' },
  { name: 'tokens', type: 'number', help: 'test tokens per length (default: the run’s)' },
  { name: 'sizes', type: 'list', help: 'ViT test resolutions in pixels (default: the run’s)' },
  { name: 'help', type: 'flag', help: 'show this help' },
];

function loadWeightsInto(model: TrainableModel, dir: string): void {
  const file = path.join(dir, 'checkpoint.bin');
  if (!fs.existsSync(file)) throw new Error(`${dir} has no checkpoint.bin; train it first (npm run train)`);
  const saved = loadCheckpoint(file).tensors;
  const w = new Map([...saved].filter(([k]) => k.startsWith('param/')).map(([k, t]) => [k.slice(6), t] as const));
  model.params.setWeights(w);
}

function ints(v: unknown, what: string): number[] | undefined {
  if (v === undefined) return undefined;
  return (v as string[]).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 2) throw new Error(`--${what}: ${JSON.stringify(s)} is not an integer ≥ 2`);
    return n;
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.help || args._.length !== 1) {
    console.log(helpText('usage: npm run eval -- RUN_FOLDER [options]', OPTIONS));
    if (!args.help) process.exitCode = 2;
    return;
  }
  const dir = path.resolve(args._[0]);
  const cfgFile = path.join(dir, 'config.json');
  if (!fs.existsSync(cfgFile)) throw new Error(`${dir} is not a run folder (no config.json)`);
  const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as RunConfig;
  console.log(describeBackend(await initBackend()));
  if (cfg.kind === 'lm' || cfg.kind === 'qa') {
    const lmCfg: LmRunConfig = cfg.kind === 'lm' ? cfg : { ...cfg.base, method: cfg.method };
    const model = buildLm(lmCfg);
    loadWeightsInto(model, dir);
    const lengths = ints(args.lengths, 'lengths') ?? lmCfg.eval.lengths;
    const test = sotuTokenStream('test', { seed: lmCfg.data.splitSeed }).tokens;
    const rs = perplexityByLength(model, test, lengths, { maxTokens: (args.tokens as number | undefined) ?? lmCfg.eval.tokens });
    console.log(`${cfg.method.label}: test perplexity (byte level)`);
    for (const r of rs) console.log(`  L = ${String(r.length).padStart(6)}  ppl ${r.ppl.toFixed(3)}  (${r.tokens} tokens, ${r.chunks} chunks)`);
  } else {
    const v = cfg as VitRunConfig;
    const model = buildVit(v);
    loadWeightsInto(model, dir);
    const sizes = ints(args.sizes, 'sizes') ?? v.eval.sizes;
    const test = loadMnist('test', { limit: v.data.testImages });
    const rs = accuracyByResolution(model, test.images, test.labels, v.data.nativeSize, sizes, v.data.patch);
    console.log(`${cfg.method.label}: MNIST top-1 accuracy`);
    for (const r of rs) console.log(`  ${String(r.size).padStart(3)} px (${r.grid}×${r.grid})  ${r.accuracy.toFixed(2)} %  (${r.correct}/${r.count})`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
