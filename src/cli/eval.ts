/**
 * npm run eval -- RUN_FOLDER [--lengths 64,128,...] [--sizes 28,56,...] [--tokens N] [--config FILE]
 *
 * Re-evaluates a trained run (its config.json + checkpoint.bin): LM perplexity at the given lengths, or ViT accuracy at
 * the given resolutions. Prints a table; writes nothing.
 *
 * The checkpoint decides what is evaluated and how it is labelled: its own meta (model shape, encoding, seed, method
 * label, steps done) must agree with config.json, which only supplies what the checkpoint does not store (the encoding's
 * full spec, the data settings); a disagreement is an error naming both values, since it means the folder's config was
 * replaced after training. --task/--encoding/--seed/--profile may be given (scripts pass train's flags to eval too), but
 * each must match the checkpoint: a contradicting flag is an error naming both values, never a silent relabel.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { ENCODING_NAMES } from '../encodings/index';
import type { LmRunConfig, RunConfig, VitRunConfig } from '../experiments/configs';
import { checkRunConfig } from '../experiments/config-check';
import { PROFILE_NAMES } from '../experiments/profiles';
import { buildLm } from '../experiments/runners/lm';
import { buildVit } from '../experiments/runners/vit';
import { differingFields, loadCheckpoint, type LoadedCheckpoint } from '../train/checkpoint';
import { sotuTokenStream } from '../data/lm-batches';
import { loadMnist } from '../data/mnist';
import { perplexityByLength } from '../eval/perplexity';
import { accuracyByResolution } from '../eval/accuracy';
import type { TrainableModel } from '../models/types';
import { parseJsonFile } from '../util/json-file';
import { CONFIG_OPTION, HELP_OPTION, helpText, parseArgs, runCli, UsageError, type OptionSpec, type Parsed } from './args';
import { MAX_SEED } from './train';

export const EVAL_OPTIONS: OptionSpec[] = [
  { name: 'lengths', type: 'list', help: 'LM evaluation lengths ≥ 2 (default: the run’s)' },
  { name: 'tokens', type: 'int', min: 2, help: 'test tokens per length, at least the longest length (default: the run’s)' },
  { name: 'sizes', type: 'list', help: 'ViT test resolutions in pixels, multiples of the patch (default: the run’s)' },
  { name: 'task', type: 'string', choices: ['lm', 'qa', 'vit'], help: 'optional: must match the run' },
  { name: 'encoding', type: 'string', choices: ENCODING_NAMES, help: 'optional: must match the checkpoint’s encoding' },
  { name: 'seed', type: 'int', min: 0, max: MAX_SEED, help: 'optional: must match the checkpoint’s seed' },
  { name: 'profile', type: 'string', choices: PROFILE_NAMES, help: 'optional: must match the run' },
  CONFIG_OPTION,
  HELP_OPTION,
];

/** What a checkpoint says about itself (written by src/train/loop.ts checkpointData). */
export interface CheckpointIdentity {
  model: Record<string, unknown>;
  encoding: string;
  seed: number;
  label: string | undefined;
  step: number;
  steps: number;
}

export function checkpointIdentity(file: string, ck: Pick<LoadedCheckpoint, 'meta'>): CheckpointIdentity {
  const m = ck.meta as { format?: unknown; step?: unknown; model?: Record<string, unknown>; train?: { seed?: unknown; steps?: unknown; meta?: { method?: unknown } } };
  if (m.format !== 'seqpe-train-v1') throw new Error(`${file}: not a training checkpoint (format ${JSON.stringify(m.format)}, expected "seqpe-train-v1")`);
  const model = m.model;
  if (!model || typeof model.encoding !== 'string') throw new Error(`${file}: its meta names no model and encoding`);
  const seed = m.train?.seed;
  if (typeof seed !== 'number') throw new Error(`${file}: its meta has no training seed`);
  const label = m.train?.meta?.method;
  return { model, encoding: model.encoding, seed, label: typeof label === 'string' ? label : undefined, step: Number(m.step), steps: Number(m.train?.steps) };
}

/** Throws, naming both values, where config.json or a flag contradicts the checkpoint. */
export function checkAgainstCheckpoint(dir: string, cfg: RunConfig, id: CheckpointIdentity, args: Parsed): void {
  const ck = path.join(dir, 'checkpoint.bin');
  const given = (k: string): boolean => args._given.includes(k);
  const flag = (k: string, want: unknown, what: string): void => {
    if (given(k) && args[k] !== want) throw new UsageError(`--${k} ${String(args[k])} contradicts the run: ${what} is ${JSON.stringify(want)} (${ck})`);
  };
  flag('encoding', id.encoding, 'the checkpoint’s encoding');
  flag('seed', id.seed, 'the checkpoint’s seed');
  flag('task', cfg.kind, 'its task');
  flag('profile', cfg.profile, 'its profile');
  const pairs: Array<[string, unknown, unknown]> = [
    ['encoding', id.encoding, cfg.method.encoding.name],
    ['seed', id.seed, cfg.seed],
  ];
  if (id.label !== undefined) pairs.push(['method label', id.label, cfg.method.label]);
  for (const [what, a, b] of pairs) {
    if (a !== b) throw new Error(`${dir}: config.json does not describe its checkpoint: ${what} is ${JSON.stringify(a)} in checkpoint.bin but ${JSON.stringify(b)} in config.json (the folder's config was replaced after training?)`);
  }
}

/** The model config.json describes, checked field by field against the shape the checkpoint was saved from. */
export function buildChecked(dir: string, cfg: RunConfig, id: CheckpointIdentity): TrainableModel {
  const model = cfg.kind === 'vit' ? buildVit(cfg) : buildLm(cfg.kind === 'lm' ? cfg : { ...cfg.base, method: cfg.method });
  const diffs = differingFields(id.model, model.describe());
  if (diffs.length) {
    model.dispose();
    const list = diffs.map((d) => `${d.field} (checkpoint ${JSON.stringify(d.saved) ?? 'absent'}, config.json ${JSON.stringify(d.current) ?? 'absent'})`).join('; ');
    throw new Error(`${dir}: config.json builds another model than checkpoint.bin holds: ${list}`);
  }
  return model;
}

function ints(v: unknown, what: string, min: number, multipleOf = 1): number[] | undefined {
  if (v === undefined) return undefined;
  return (v as string[]).map((s) => {
    if (!/^\d+$/.test(s) || Number(s) < min) throw new UsageError(`--${what}: ${JSON.stringify(s)} is not a decimal integer ≥ ${min}`);
    const n = Number(s);
    if (n % multipleOf !== 0) throw new UsageError(`--${what}: ${n} is not a multiple of the run's patch size ${multipleOf}`);
    return n;
  });
}

/** The window each length is evaluated at must be the labelled one: fewer tokens than L would score a shorter window. */
export function checkTokens(tokens: number, lengths: number[], given: boolean): void {
  const longest = Math.max(...lengths);
  if (tokens < longest) {
    throw new UsageError(`${given ? '--tokens' : 'the run’s eval.tokens'} ${tokens} is smaller than the evaluation length ${longest}: perplexity "at L = ${longest}" needs at least one full window of ${longest} tokens; give --tokens ≥ ${longest} or shorter --lengths`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), EVAL_OPTIONS);
  if (args.help) {
    console.log(helpText('usage: npm run eval -- RUN_FOLDER [options]', EVAL_OPTIONS));
    return;
  }
  if (args._.length !== 1) throw new UsageError(args._.length ? `expected one run folder, got ${args._.length}: ${args._.join(' ')}` : 'give the run folder to evaluate');
  const dir = path.resolve(args._[0]);
  const cfgFile = path.join(dir, 'config.json');
  if (!fs.existsSync(cfgFile)) throw new UsageError(`${dir} is not a run folder (no config.json)`);
  const raw = parseJsonFile(cfgFile);
  checkRunConfig(raw, cfgFile);
  const cfg: RunConfig = raw;
  const ckFile = path.join(dir, 'checkpoint.bin');
  if (!fs.existsSync(ckFile)) throw new Error(`${dir} has no checkpoint.bin; train it first (npm run train)`);
  const ck = loadCheckpoint(ckFile);
  const id = checkpointIdentity(ckFile, ck);
  checkAgainstCheckpoint(dir, cfg, id, args);
  const lmCfg: LmRunConfig | undefined = cfg.kind === 'lm' ? cfg : cfg.kind === 'qa' ? { ...cfg.base, method: cfg.method } : undefined;
  if (lmCfg && args.sizes !== undefined) throw new UsageError(`--sizes applies to ViT runs; ${dir} is a ${cfg.kind} run (use --lengths)`);
  if (!lmCfg && (args.lengths !== undefined || args.tokens !== undefined)) throw new UsageError(`--lengths and --tokens apply to LM runs; ${dir} is a vit run (use --sizes)`);
  const lengths = lmCfg ? ints(args.lengths, 'lengths', 2) ?? lmCfg.eval.lengths : [];
  const tokens = lmCfg ? (args.tokens as number | undefined) ?? lmCfg.eval.tokens : 0;
  if (lmCfg) checkTokens(tokens, lengths, args.tokens !== undefined);
  const v = cfg as VitRunConfig;
  const sizes = lmCfg ? [] : ints(args.sizes, 'sizes', v.data.patch, v.data.patch) ?? v.eval.sizes;

  console.log(describeBackend(await initBackend()));
  const model = buildChecked(dir, cfg, id);
  model.params.setWeights(new Map([...ck.tensors].filter(([k]) => k.startsWith('param/')).map(([k, t]) => [k.slice(6), t] as const)));
  const label = `${id.label ?? cfg.method.label} · ${id.encoding} · seed ${id.seed} · step ${id.step}${id.step < id.steps ? ` of ${id.steps} (unfinished)` : ''}`;
  if (lmCfg) {
    const test = sotuTokenStream('test', { seed: lmCfg.data.splitSeed }).tokens;
    const rs = perplexityByLength(model as ReturnType<typeof buildLm>, test, lengths, { maxTokens: tokens });
    console.log(`${label}: test perplexity (byte level)`);
    for (const r of rs) console.log(`  L = ${String(r.length).padStart(6)}  ppl ${r.ppl.toFixed(3)}  (${r.tokens} tokens, ${r.chunks} chunks)`);
  } else {
    const test = loadMnist('test', { limit: v.data.testImages });
    const rs = accuracyByResolution(model as ReturnType<typeof buildVit>, test.images, test.labels, v.data.nativeSize, sizes, v.data.patch);
    console.log(`${label}: MNIST top-1 accuracy`);
    for (const r of rs) console.log(`  ${String(r.size).padStart(3)} px (${r.grid}×${r.grid})  ${r.accuracy.toFixed(2)} %  (${r.correct}/${r.count})`);
  }
}

/** Runs the command with process.argv (the installed package's bin/seqpe-eval.cjs calls this: there require.main is the bin). */
export function cli(): void {
  runCli('eval', main);
}

if (require.main === module) cli();
