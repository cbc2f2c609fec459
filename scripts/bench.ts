/**
 * npm run bench — speed figures of issue 9 (a benchmark, not a test): prints a table and writes results/bench.json.
 *
 * One full training step (forward, backward, clipping, AdamW) per case, timed after warm-up steps:
 *   small-lm   LM d 64, 2 layers, 4 heads, vocab 256, batch 16 × 64 (the small profile's LM): APE; SeqPE main task only;
 *              SeqPE full step (L_δ 16×32 + L_OOD 16×32; random shift and encoder dropout as in the small profile)
 *   bench-lm   LM d 128, 2 layers, 4 heads, batch 16 × 128: the same three (SeqPE as before: no shift, no dropout),
 *              plus the matmul share of the APE step (tf.profile kernel time of all *MatMul* kernels / step time)
 *   small-vit  ViT d 64, 2 layers, 4 heads, MNIST 28 px in 4 px patches (7 × 7 grid), batch 32: APE; SeqPE q/k gates
 *              main task only; SeqPE full (the small profile's ViT method)
 *   encode     2 048 positions (16× the bench LM's training length) through a d 128 SeqPE encoder, cold and cached
 *   gpu-lm     the gpu profile's LM: d 128, 4 layers, 4 heads, batch 32 × 128: APE and SeqPE full (the gpu profile's
 *              method); for the WebGPU engine (SEQPE_BACKEND=webgpu), where each row also counts compute dispatches per
 *              step and the GPU buffer pool (scripts/gpu/device-run.sh runs it as 1 and as 8 processes at once)
 * Ratios (SeqPE full / APE, SeqPE main / APE) are taken within this run, next to issue 9's targets.
 *
 *   npm run bench [-- --steps 10 --warmup 3 --only small-lm,bench-lm,small-vit,encode --all-encodings]
 *   npm run bench -- --compare results/bench-before.json     prints the saved run beside this one
 *
 * SEQPE_KERNELS=fused (with the wasm engine) installs the fused wasm kernel set (LayerNorm, GELU, attention softmax,
 * cross-entropy; see src/backend.ts); the JSON records the kernel set that ran. Timings on a shared 2-core machine move by up to 2×:
 * compare runs taken under the same load, and read the min/median beside the mean.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/backend';
import { dispatchCount, poolStats } from '../src/kernels/webgpu/engine';
import { createEncoding, type EncodingSpec } from '../src/encodings/index';
import { SeqPE } from '../src/encodings/seqpe/index';
import { CausalLM } from '../src/models/causal-lm';
import { ViT } from '../src/models/vit';
import { Trainer } from '../src/train/loop';
import { imageTaskFromImages, lmTask } from '../src/train/tasks';
import { sotuTokenStream } from '../src/data/lm-batches';
import { balancedSubsetIndices, loadMnist, subsetImages } from '../src/data/mnist';
import { PROFILES } from '../src/experiments/profiles';
import { lmSeqpe, vitMethods, vitSeqpe } from '../src/experiments/configs';
import { writeFileAtomic } from '../src/experiments/cache';
import { gitCommit, packageVersions } from '../src/experiments/cache';
import { projectPath } from '../src/util/paths';
import { Rng } from '../src/util/rng';
import { helpText, parseArgs, type OptionSpec } from '../src/cli/args';

const OPTIONS: OptionSpec[] = [
  { name: 'steps', type: 'number', help: 'timed steps per case', default: 10 },
  { name: 'warmup', type: 'number', help: 'untimed steps first', default: 3 },
  { name: 'only', type: 'string', help: 'comma-separated groups: small-lm, bench-lm, small-vit, encode, gpu-lm', default: 'small-lm,bench-lm,small-vit,encode' },
  { name: 'cases', type: 'string', help: 'only the cases whose name contains one of these comma-separated words (e.g. ape,seqpe)', default: '' },
  { name: 'all-encodings', type: 'flag', help: 'also time sinusoidal, RoPE, ALiBi and NoPE in bench-lm' },
  { name: 'compare', type: 'string', help: 'a saved bench JSON to print beside this run', default: '' },
  { name: 'out', type: 'string', help: 'JSON output file', default: 'results/bench.json' },
  { name: 'help', type: 'flag', help: 'show this help' },
];

type Group = 'small-lm' | 'bench-lm' | 'small-vit' | 'gpu-lm';
const GROUPS: readonly string[] = ['small-lm', 'bench-lm', 'small-vit', 'encode', 'gpu-lm'];

interface Row {
  group: Group;
  name: string;
  msPerStep: number;
  msMedian: number;
  msMin: number;
  msMax: number;
  tokensPerSec: number;
  peakTensors: number;
  peakBytes: number;
  /** WebGPU only: compute dispatches per timed step (median; each tfjs program run is one dispatch). */
  dispatchesPerStep?: number;
  /** WebGPU only: the buffer pool after the last step (bytes allocated, free buffers, buffers destroyed by trims). */
  pool?: { bytesAllocated: number; freeBuffers: number; destroyed: number };
  /** tf.profile of one step (APE rows only): kernel time in *MatMul* kernels, all kernels, and the kernel calls. */
  profile?: { matmulMs: number; kernelMs: number; kernelCalls: number; matmulShareOfStep: number };
}

interface Case {
  group: Group;
  name: string;
  /** Tokens (or images) per step, for the throughput column. */
  items: number;
  make(steps: number): { trainer: AnyTrainer; dispose(): void };
  profile?: boolean;
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const MATMUL = /MatMul/;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTrainer = Trainer<any, any>;

async function profileStep(trainer: AnyTrainer): Promise<{ matmulMs: number; kernelMs: number; kernelCalls: number }> {
  const prof = await tf.profile(async () => {
    await trainer.stepAsync();
  });
  let matmulMs = 0;
  let kernelMs = 0;
  for (const k of prof.kernels) {
    const ms = k.kernelTimeMs as number;
    kernelMs += ms;
    if (MATMUL.test(k.name)) matmulMs += ms;
  }
  return { matmulMs, kernelMs, kernelCalls: prof.kernels.length };
}

async function runCase(c: Case, steps: number, warmup: number): Promise<Row> {
  const { trainer, dispose } = c.make(steps + warmup + (c.profile ? 1 : 0));
  const times: number[] = [];
  const dispatches: number[] = [];
  let peakTensors = 0;
  let peakBytes = 0;
  for (let i = 0; i < steps + warmup; i++) {
    const t0 = performance.now();
    const d0 = dispatchCount();
    await trainer.stepAsync(); // one host read per step: the loop's own (works on every engine)
    const ms = performance.now() - t0;
    if (i >= warmup) {
      times.push(ms);
      dispatches.push(dispatchCount() - d0);
    }
    const m = tf.memory();
    peakTensors = Math.max(peakTensors, m.numTensors);
    peakBytes = Math.max(peakBytes, m.numBytes);
  }
  // tf.profile's kernel times need GPU timestamp queries on webgpu; the dispatch count stands in for it there.
  const prof = c.profile && !gpu ? await profileStep(trainer) : undefined;
  const pool = poolStats();
  trainer.dispose();
  dispose();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return {
    group: c.group, name: c.name, msPerStep: mean, msMedian: median(times), msMin: Math.min(...times), msMax: Math.max(...times),
    tokensPerSec: c.items / (mean / 1000), peakTensors, peakBytes,
    ...(gpu ? { dispatchesPerStep: median(dispatches), pool } : {}),
    profile: prof && { ...prof, matmulShareOfStep: prof.matmulMs / median(times) },
  };
}

/** Whether this run is on the WebGPU engine (set in main). */
let gpu = false;

function lmCase(group: Group, name: string, dims: { d: number; b: number; t: number; layers?: number }, spec: EncodingSpec, tokens: Int32Array, profile = false): Case {
  const layers = dims.layers ?? 2;
  return {
    group, name, items: dims.b * dims.t, profile,
    make(steps) {
      const md = { dModel: dims.d, heads: 4, layers };
      const enc = createEncoding(spec, md, 7);
      const model = new CausalLM({ vocab: 256, dModel: dims.d, layers, heads: 4, seed: 1 }, enc);
      const trainer = new Trainer(model, lmTask({ tokens, batch: dims.b, time: dims.t }), {
        steps, seed: 1, lr: 1e-3, progress: { mode: 'silent' },
      });
      return { trainer, dispose: () => { enc.dispose(); model.dispose(); } };
    },
  };
}

/** Main task only: the same encoding and random shift, without L_δ and L_OOD (SeqPE's objectives are in its spec). */
function mainOnly(spec: EncodingSpec): EncodingSpec {
  if (spec.name !== 'seqpe' || !spec.objectives) return spec;
  const shift = spec.objectives.shift;
  return { ...spec, objectives: shift ? { shift } : undefined };
}

function smallLmCases(tokens: Int32Array): Case[] {
  const p = PROFILES.small;
  const dims = { d: p.lm.dModel, b: p.lm.batch, t: p.lm.seqLen };
  const s = lmSeqpe(p);
  return [
    lmCase('small-lm', 'ape', dims, { name: 'ape', trainLength: dims.t }, tokens, true),
    lmCase('small-lm', 'seqpe (main task only)', dims, mainOnly(s.encoding), tokens),
    lmCase('small-lm', 'seqpe (+ L_δ 16×32, L_OOD 16×32)', dims, s.encoding, tokens),
  ];
}

function benchLmCases(tokens: Int32Array, all: boolean): Case[] {
  const dims = { d: 128, b: 16, t: 128 };
  const MAXPOS = 20000;
  const seqpe: EncodingSpec = { name: 'seqpe', mode: 'attn_bias', encoder: { dims: 1, maxPosition: MAXPOS, width: 128, layers: 2 } };
  // The objectives take maxPosition from the encoder (MAXPOS), as the old regulariser config repeated it.
  const seqpeFull: EncodingSpec = {
    ...seqpe,
    objectives: {
      contrastive: { weight: 0.1, batchSize: 16, contrastiveSize: 32 },
      distillation: { weight: 0.1, batchSize: 16, setSize: 32 },
    },
  };
  const others: Case[] = all
    ? (['sinusoidal', 'rope', 'alibi', 'none'] as const).map((n) => lmCase('bench-lm', n, dims, { name: n } as EncodingSpec, tokens))
    : [];
  return [
    lmCase('bench-lm', 'ape', dims, { name: 'ape', trainLength: dims.t }, tokens, true),
    ...others,
    lmCase('bench-lm', 'seqpe (main task only)', dims, seqpe, tokens),
    lmCase('bench-lm', 'seqpe (+ L_δ 16×32, L_OOD 16×32)', dims, seqpeFull, tokens),
  ];
}

/** The gpu profile's LM (d 128 × 4 layers, batch 32 × 128): APE and the profile's SeqPE method (both objectives). */
function gpuLmCases(tokens: Int32Array): Case[] {
  const p = PROFILES.gpu;
  const dims = { d: p.lm.dModel, b: p.lm.batch, t: p.lm.seqLen, layers: p.lm.layers };
  return [
    lmCase('gpu-lm', 'ape', dims, { name: 'ape', trainLength: dims.t }, tokens),
    lmCase('gpu-lm', 'seqpe (+ L_δ 16×32, L_OOD 16×32)', dims, lmSeqpe(p).encoding, tokens),
  ];
}

function smallVitCases(): Case[] {
  const p = PROFILES.small;
  const v = p.vit;
  const all = loadMnist('train');
  const train = subsetImages(all, balancedSubsetIndices(all.labels, 200, new Rng(31)));
  const ape = vitMethods(p)[0];
  const s = vitSeqpe(p);
  const mk = (name: string, spec: EncodingSpec, profile = false): Case => ({
    group: 'small-vit', name, items: v.batch, profile,
    make(steps) {
      const enc = createEncoding(spec, { dModel: v.dModel, heads: v.heads, layers: v.layers }, 11);
      const model = new ViT({ imageSize: v.nativeSize, patchSize: v.patch, classes: 10, dModel: v.dModel, layers: v.layers, heads: v.heads, dropout: v.dropout, seed: 1 }, enc);
      const task = imageTaskFromImages(train.images, train.labels, v.nativeSize, v.patch, v.batch);
      const trainer = new Trainer(model, task, { steps, seed: 1, lr: v.lr, weightDecay: v.weightDecay, progress: { mode: 'silent' } });
      return { trainer, dispose: () => { enc.dispose(); model.dispose(); } };
    },
  });
  return [
    mk('ape', ape.encoding, true),
    mk('seqpe qk (main task only)', mainOnly(s.encoding)),
    mk('seqpe qk (+ L_δ 16×32, L_OOD 16×32)', s.encoding),
  ];
}

interface GroupRatios { fullOverApe: number; mainOverApePct: number; apeMs: number }

function ratios(rows: Row[], g: Group): GroupRatios | undefined {
  const r = rows.filter((x) => x.group === g);
  const ape = r.find((x) => x.name === 'ape');
  const main = r.find((x) => x.name.includes('main task only'));
  const full = r.find((x) => x.name.includes('L_δ'));
  if (!ape || !main || !full) return undefined;
  // Medians: one slow step (GC, a neighbour's burst) should not decide a ratio.
  return { apeMs: ape.msMedian, fullOverApe: full.msMedian / ape.msMedian, mainOverApePct: 100 * (main.msMedian / ape.msMedian - 1) };
}

async function encodeCold(): Promise<{ positions: number; coldMs: number; cachedMs: number }> {
  const D = 128, MAXPOS = 20000, n = 2048;
  const enc = new SeqPE({ dModel: D, heads: 4, layers: 2 }, { mode: 'attn_bias', seed: 3, encoder: { dims: 1, maxPosition: MAXPOS, width: D, layers: 2 } });
  const positions = Array.from({ length: n }, (_, i) => i);
  // Read the table to JS and dispose it outside tf.tidy: a typed array returned from tidy is walked element by element
  // in search of tensors (~70 ms for 262 k floats), which would swamp what is being measured.
  const readTable = async (): Promise<void> => {
    const t = enc.encoder.table(positions);
    await t.data();
    t.dispose();
  };
  let t0 = performance.now();
  await readTable();
  const cold = performance.now() - t0;
  // Median of 7 cached calls: a single one mostly measures garbage collection of the cold call's temporaries.
  const cachedTimes: number[] = [];
  for (let r = 0; r < 7; r++) {
    t0 = performance.now();
    await readTable();
    cachedTimes.push(performance.now() - t0);
  }
  enc.dispose();
  return { positions: n, coldMs: cold, cachedMs: median(cachedTimes) };
}

interface Target { what: string; value: number; limit: number; unit: string; holds: boolean }

function targets(rows: Row[], r: Partial<Record<Group, GroupRatios>>, encode?: { coldMs: number }): Target[] {
  const t: Target[] = [];
  const add = (what: string, value: number | undefined, limit: number, unit: string): void => {
    if (value !== undefined) t.push({ what, value, limit, unit, holds: value <= limit });
  };
  add('small-lm APE step', r['small-lm']?.apeMs, 30, 'ms');
  add('small-lm SeqPE full / APE', r['small-lm']?.fullOverApe, 1.5, '×');
  add('small-lm SeqPE main task over APE', r['small-lm']?.mainOverApePct, 10, '%');
  const bApe = rows.find((x) => x.group === 'bench-lm' && x.name === 'ape');
  add('bench-lm non-matmul share of APE step', bApe?.profile && 100 * (1 - bApe.profile.matmulShareOfStep), 20, '%');
  add('bench-lm SeqPE full / APE', r['bench-lm']?.fullOverApe, 1.5, '×');
  add('small-vit SeqPE full / APE', r['small-vit']?.fullOverApe, 1.5, '×');
  add('small-vit SeqPE main task over APE', r['small-vit']?.mainOverApePct, 10, '%');
  add('encode 2 048 positions cold', encode?.coldMs, 100, 'ms');
  return t;
}

const fmt = (v: number | undefined, d = 0): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** Rows of a saved JSON keyed by group/name; runs before the groups existed were all the bench LM. */
function savedRows(file: string): { meta: string; rows: Map<string, { msPerStep: number; msMedian: number }>; encodeColdMs?: number } {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const rows = new Map<string, { msPerStep: number; msMedian: number }>();
  for (const r of j.steps ?? []) rows.set(`${r.group ?? 'bench-lm'}/${r.name}`, { msPerStep: r.msPerStep, msMedian: r.msMedian ?? r.msPerStep });
  const cold = j.encode?.coldMs ?? j.encode16x?.coldMs;
  return { meta: `${j.date ?? '?'} ${j.commit ?? ''} ${j.fused ? 'fused' : ''}`.trim(), rows, encodeColdMs: cold };
}

function printCompare(file: string, rows: Row[], encode?: { coldMs: number }): void {
  const old = savedRows(file);
  console.log(`\ncompare with ${file} (${old.meta}); median ms/step, ratio = this run / saved`);
  console.log(`${'case'.padEnd(46)} ${'saved'.padStart(8)} ${'now'.padStart(8)} ${'ratio'.padStart(7)}`);
  for (const r of rows) {
    const o = old.rows.get(`${r.group}/${r.name}`);
    console.log(`${`${r.group}/${r.name}`.padEnd(46)} ${fmt(o?.msMedian, 1).padStart(8)} ${fmt(r.msMedian, 1).padStart(8)} ${(o ? (r.msMedian / o.msMedian).toFixed(2) + '×' : '—').padStart(7)}`);
  }
  if (encode) {
    const o = old.encodeColdMs;
    console.log(`${'encode 2 048 positions cold'.padEnd(46)} ${fmt(o, 1).padStart(8)} ${fmt(encode.coldMs, 1).padStart(8)} ${(o ? (encode.coldMs / o).toFixed(2) + '×' : '—').padStart(7)}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.help) return console.log(helpText('usage: npm run bench -- [options]', OPTIONS));
  const steps = Number(args.steps);
  const warmup = Number(args.warmup);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`--steps must be an integer ≥ 1, got ${args.steps}`);
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new Error(`--warmup must be an integer ≥ 0, got ${args.warmup}`);
  const only = String(args.only).split(',').map((s) => s.trim()).filter(Boolean);
  for (const g of only) if (!GROUPS.includes(g)) throw new Error(`--only: unknown group '${g}', expected some of ${GROUPS.join(', ')}`);
  const compare = String(args.compare);
  if (compare && !fs.existsSync(compare)) throw new Error(`--compare: no such file ${compare}`);
  const info = await initBackend();
  gpu = info.name === 'webgpu';
  // Saved runs before the kernel layer recorded only this flag (SEQPE_FUSED=1); --compare still reads it.
  const fused = info.kernels.includes('wasm-fused');
  console.log(`${describeBackend(info)}; fused wasm kernels ${fused ? 'ON' : 'off'}; ${steps} timed steps after ${warmup} warm-up; ${os.cpus()[0]?.model ?? '?'}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const tokens = sotuTokenStream('train', { seed: 10086 }).tokens;
  const cases: Case[] = [
    ...(only.includes('small-lm') ? smallLmCases(tokens) : []),
    ...(only.includes('bench-lm') ? benchLmCases(tokens, Boolean(args['all-encodings'])) : []),
    ...(only.includes('small-vit') ? smallVitCases() : []),
    ...(only.includes('gpu-lm') ? gpuLmCases(tokens) : []),
  ].filter((c) => {
    const words = String(args.cases).split(',').map((w) => w.trim()).filter(Boolean);
    return words.length === 0 || words.some((w) => c.name.includes(w));
  });
  const rows: Row[] = [];
  for (const c of cases) {
    const r = await runCase(c, steps, warmup);
    rows.push(r);
    const disp = r.dispatchesPerStep !== undefined ? `  ${r.dispatchesPerStep} dispatches/step, pool ${(r.pool!.bytesAllocated / 2 ** 20).toFixed(0)} MiB` : '';
    const prof = r.profile ? `  matmul ${r.profile.matmulMs.toFixed(0)} ms = ${(100 * r.profile.matmulShareOfStep).toFixed(0)} % of the step, ${r.profile.kernelCalls} kernel calls` : '';
    console.log(`${`${c.group}/${c.name}`.padEnd(46)} ${r.msPerStep.toFixed(1).padStart(7)} ms/step (median ${r.msMedian.toFixed(1)}, ${r.msMin.toFixed(1)}–${r.msMax.toFixed(1)})  peak ${r.peakTensors} tensors, ${(r.peakBytes / 2 ** 20).toFixed(0)} MiB${disp}${prof}`);
  }
  const groupRatios: Partial<Record<Group, GroupRatios>> = {};
  for (const g of ['small-lm', 'bench-lm', 'small-vit', 'gpu-lm'] as const) {
    const r = ratios(rows, g);
    if (r) {
      groupRatios[g] = r;
      console.log(`${g}: SeqPE full step ${r.fullOverApe.toFixed(2)}× APE, main task only ${r.mainOverApePct >= 0 ? '+' : ''}${r.mainOverApePct.toFixed(0)} % (medians)`);
    }
  }
  const encode = only.includes('encode') ? await encodeCold() : undefined;
  if (encode) console.log(`encode ${encode.positions} positions: cold ${encode.coldMs.toFixed(0)} ms, cached ${encode.cachedMs.toFixed(1)} ms (median of 7)`);
  const tg = targets(rows, groupRatios, encode);
  console.log('\nissue 9 targets (this run):');
  for (const t of tg) console.log(`  ${t.holds ? 'holds ' : 'MISSED'}  ${t.what.padEnd(40)} ${t.value.toFixed(t.unit === '×' ? 2 : 0).padStart(7)} ${t.unit} (target ≤ ${t.limit} ${t.unit})`);
  if (compare) printCompare(compare, rows, encode);

  const out = {
    date: new Date().toISOString(),
    backend: describeBackend(info),
    adapter: info.adapter,
    fused,
    kernels: info.kernels,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
    packages: packageVersions(),
    commit: gitCommit(),
    setting: { steps, warmup, groups: only, ratiosFrom: 'median ms/step' },
    steps: rows,
    ratios: groupRatios,
    encode,
    targets: tg,
  };
  const file = path.isAbsolute(String(args.out)) ? String(args.out) : projectPath(String(args.out));
  writeFileAtomic(file, JSON.stringify(out, null, 1));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

// process.exit: the WebGPU engine (Dawn) can keep the event loop alive after main is done.
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
