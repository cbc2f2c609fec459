/**
 * npm run bench — speed figures (a benchmark, not a test): prints a table and writes results/bench.json.
 *
 * LM of d = 128, 2 layers, 4 heads, vocab 256 (bytes), batch 16 × 128 tokens, one full training step (forward, backward,
 * clipping, AdamW) per encoding; SeqPE for the main task alone and with both regularisers at the spec's sample sizes
 * (16 pivots × 32 candidates, 16 × 32 transfer positions); encoding 16× the training length of positions cold and cached;
 * peak tensor count and memory.
 *
 *   npm run bench [-- --steps 12 --warmup 3]
 */
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/backend';
import { createEncoding, type EncodingSpec } from '../src/encodings/index';
import { SeqPE } from '../src/encodings/seqpe/index';
import { CausalLM } from '../src/models/causal-lm';
import { Trainer } from '../src/train/loop';
import { lmTask } from '../src/train/tasks';
import type { SeqPEObjectivesConfig } from '../src/encodings/index';
import { sotuTokenStream } from '../src/data/lm-batches';
import { writeFileAtomic } from '../src/experiments/cache';
import { gitCommit, packageVersions } from '../src/experiments/cache';
import { projectPath } from '../src/util/paths';
import { helpText, parseArgs, type OptionSpec } from '../src/cli/args';

const OPTIONS: OptionSpec[] = [
  { name: 'steps', type: 'number', help: 'timed steps per encoding', default: 10 },
  { name: 'warmup', type: 'number', help: 'untimed steps first', default: 3 },
  { name: 'out', type: 'string', help: 'JSON output file', default: 'results/bench.json' },
  { name: 'help', type: 'flag', help: 'show this help' },
];

const D = 128, LAYERS = 2, HEADS = 4, B = 16, T = 128, MAXPOS = 20000;

interface Row { name: string; msPerStep: number; msMedian: number; tokensPerSec: number; peakTensors: number; peakBytes: number }

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function benchStep(name: string, spec: EncodingSpec, tokens: Int32Array, steps: number, warmup: number): Promise<Row> {
  const dims = { dModel: D, heads: HEADS, layers: LAYERS };
  const enc = createEncoding(spec, dims, 7);
  const model = new CausalLM({ vocab: 256, dModel: D, layers: LAYERS, heads: HEADS, seed: 1 }, enc);
  const trainer = new Trainer(model, lmTask({ tokens, batch: B, time: T }), {
    steps: steps + warmup, seed: 1, lr: 1e-3, progress: { mode: 'silent' },
  });
  const times: number[] = [];
  let peakTensors = 0;
  let peakBytes = 0;
  for (let i = 0; i < steps + warmup; i++) {
    const t0 = performance.now();
    trainer.stepOnce();
    const ms = performance.now() - t0;
    if (i >= warmup) times.push(ms);
    const m = tf.memory();
    peakTensors = Math.max(peakTensors, m.numTensors);
    peakBytes = Math.max(peakBytes, m.numBytes);
  }
  trainer.dispose();
  enc.dispose();
  model.dispose();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { name, msPerStep: mean, msMedian: median(times), tokensPerSec: (B * T) / (mean / 1000), peakTensors, peakBytes };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.help) return console.log(helpText('usage: npm run bench -- [options]', OPTIONS));
  const steps = Number(args.steps);
  const warmup = Number(args.warmup);
  const info = await initBackend();
  console.log(describeBackend(info));
  console.log(`LM d=${D}, ${LAYERS} layers, ${HEADS} heads, batch ${B} × ${T} tokens; ${steps} timed steps after ${warmup} warm-up; ${os.cpus()[0]?.model ?? '?'}`);
  const tokens = sotuTokenStream('train', { seed: 10086 }).tokens;
  const seqpe = (mode: 'attn_bias' | 'input_add', objectives?: SeqPEObjectivesConfig): EncodingSpec =>
    ({ name: 'seqpe', mode, encoder: { dims: 1, maxPosition: MAXPOS, width: D, layers: 2 }, objectives });
  const fullObjectives: SeqPEObjectivesConfig = {
    contrastive: { weight: 0.1, batchSize: 16, contrastiveSize: 32 },
    distillation: { weight: 0.1, batchSize: 16, setSize: 32 },
  };
  const cases: Array<[string, EncodingSpec]> = [
    ['ape', { name: 'ape', trainLength: T }],
    ['sinusoidal', { name: 'sinusoidal' }],
    ['rope', { name: 'rope' }],
    ['alibi', { name: 'alibi' }],
    ['none', { name: 'none' }],
    ['seqpe (main task only)', seqpe('attn_bias')],
    ['seqpe (+ L_δ 16×32, L_OOD 16×32)', seqpe('attn_bias', fullObjectives)],
  ];
  const rows: Row[] = [];
  for (const [name, spec] of cases) {
    const r = await benchStep(name, spec, tokens, steps, warmup);
    rows.push(r);
    console.log(`${name.padEnd(34)} ${r.msPerStep.toFixed(0).padStart(6)} ms/step (median ${r.msMedian.toFixed(0)})  ${r.tokensPerSec.toFixed(0).padStart(6)} tokens/s  peak ${r.peakTensors} tensors, ${(r.peakBytes / 2 ** 20).toFixed(0)} MiB`);
  }
  const ape = rows[0].msPerStep;
  const main = rows[5].msPerStep;
  const full = rows[6].msPerStep;
  console.log(`SeqPE overhead over APE: main task only +${(100 * (main / ape - 1)).toFixed(0)} % (target ≤ 20 %), full step ${(full / ape).toFixed(2)}× (target ≤ 2×)`);

  // Encoding 16× the training length: cold (every position through the encoder) and cached (table lookup).
  const enc = new SeqPE({ dModel: D, heads: HEADS, layers: LAYERS }, { mode: 'attn_bias', seed: 3, encoder: { dims: 1, maxPosition: MAXPOS, width: D, layers: 2 } });
  const positions = Array.from({ length: 16 * T }, (_, i) => i);
  // Read the table to JS and dispose it outside tf.tidy: a typed array returned from tidy is walked element by element
  // in search of tensors (~70 ms for 262 k floats), which would swamp what is being measured.
  const readTable = (): void => {
    const t = enc.encoder.table(positions);
    t.dataSync();
    t.dispose();
  };
  let t0 = performance.now();
  readTable();
  const cold = performance.now() - t0;
  // Median of 7 cached calls: a single one mostly measures garbage collection of the cold call's temporaries.
  const cachedTimes: number[] = [];
  for (let r = 0; r < 7; r++) {
    t0 = performance.now();
    readTable();
    cachedTimes.push(performance.now() - t0);
  }
  const cached = median(cachedTimes);
  enc.dispose();
  console.log(`encode ${16 * T} positions (16× the training length): cold ${cold.toFixed(0)} ms, cached ${cached.toFixed(1)} ms (median of 7)`);

  const out = {
    date: new Date().toISOString(),
    backend: describeBackend(info),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
    packages: packageVersions(),
    commit: gitCommit(),
    setting: { dModel: D, layers: LAYERS, heads: HEADS, batch: B, seqLen: T, vocab: 256, seqpeWidth: D, seqpeMaxPosition: MAXPOS, steps, warmup },
    steps: rows,
    seqpeOverhead: { mainTaskOnlyPct: 100 * (main / ape - 1), fullStepRatio: full / ape },
    encode16x: { positions: 16 * T, coldMs: cold, cachedMs: cached },
  };
  const file = path.isAbsolute(String(args.out)) ? String(args.out) : projectPath(String(args.out));
  writeFileAtomic(file, JSON.stringify(out, null, 1));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
