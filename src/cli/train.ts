/**
 * npm run train -- --task lm|vit|qa --encoding NAME [--profile small] [--seed 1] [--steps N] [--out DIR] [--config FILE] ...
 *
 * Trains one model with any position encoding (the same run configs and runners the reproduction uses), evaluates it,
 * and writes config.json, log.jsonl, checkpoint.bin and result.json into the run folder. Rerunning resumes from the
 * checkpoint; a folder that already holds another config is refused (naming the differing fields), never mixed.
 *
 * A flag equal to its default leaves the config (and so its hash and run folder) exactly as without it: overrides are
 * applied only where they change a value.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { ENCODING_NAMES } from '../encodings/index';
import { SEQPE_MODES } from '../encodings/seqpe/modes';
import { lmMethods, lmRunConfig, lmSeqpe, qaRunConfig, vitMethods, vitRunConfig, vitSeqpe, type MethodSpec, type RunConfig } from '../experiments/configs';
import { checkRunConfig } from '../experiments/config-check';
import { runDir, writeFileAtomic } from '../experiments/cache';
import { getProfile, PROFILE_NAMES, type Profile } from '../experiments/profiles';
import { runInFolder } from '../experiments/worker';
import { differingFields } from '../train/checkpoint';
import { parseJsonFile } from '../util/json-file';
import { CONFIG_OPTION, HELP_OPTION, helpText, parseArgs, prepareOutDir, runCli, UsageError, type OptionSpec, type Parsed } from './args';

/** Seeds are 32-bit: the Rng folds larger ones (src/util/rng.ts), so 2^32 would silently repeat seed 0. */
export const MAX_SEED = 2 ** 32 - 1;

export const TRAIN_OPTIONS: OptionSpec[] = [
  { name: 'task', type: 'string', choices: ['lm', 'qa', 'vit'], help: 'lm (language modelling), qa (fine-tune the matching lm run on needle QA), vit (MNIST)', default: 'lm' },
  { name: 'encoding', type: 'string', choices: ENCODING_NAMES, help: `position encoding: ${ENCODING_NAMES.join(', ')}`, default: 'seqpe' },
  { name: 'mode', type: 'string', choices: SEQPE_MODES, help: `SeqPE application mode: ${SEQPE_MODES.join(', ')} (default: attn_bias for lm, qk_gate for vit)` },
  { name: 'no-contrastive', type: 'flag', help: 'SeqPE without L_δ' },
  { name: 'no-distillation', type: 'flag', help: 'SeqPE without L_OOD (the distillation objective; official: transfer)' },
  { name: 'no-shift', type: 'flag', help: 'SeqPE without random position shift' },
  { name: 'profile', type: 'string', choices: PROFILE_NAMES, help: `sizes and defaults: ${PROFILE_NAMES.join(' | ')}`, default: 'small' },
  { name: 'seed', type: 'int', min: 0, max: MAX_SEED, help: 'seed of initialisation, data order, dropout and samplers', default: 1 },
  { name: 'steps', type: 'int', min: 1, help: 'training steps (default: the profile’s)' },
  { name: 'lr', type: 'number', above: 0, help: 'peak learning rate > 0 (default: the profile’s)' },
  { name: 'out', type: 'string', help: 'run folder (default: results/runs/<kind>-<config hash>, shared with npm run reproduce)' },
  CONFIG_OPTION,
  HELP_OPTION,
];

const SEQPE_ONLY = ['mode', 'no-contrastive', 'no-distillation', 'no-shift'];

/** The SeqPE variant the flags ask for, and its label: the ablation table's label when it is one of its rows. */
function seqpeVariant(args: Parsed, defaultMode: string): { mode?: string; contrastive: boolean; distillation: boolean; shift: boolean; label: string } {
  const contrastive = !args['no-contrastive'];
  const distillation = !args['no-distillation'];
  const shift = !args['no-shift'];
  const mode = args.mode as string | undefined;
  const parts: string[] = [];
  if (!contrastive && !distillation) parts.push('w/o L_δ and L_OOD');
  else if (!contrastive) parts.push('w/o L_δ');
  else if (!distillation) parts.push('w/o L_OOD');
  if (!shift) parts.push('w/o random shift');
  if (mode !== undefined && mode !== defaultMode) parts.push(`apply: ${mode.replace('_', ' ')}`);
  return { mode, contrastive, distillation, shift, label: parts.length ? parts.join(', ') : 'SeqPE' };
}

function method(task: string, args: Parsed, profile: Profile): MethodSpec {
  const name = String(args.encoding);
  const misplaced = SEQPE_ONLY.filter((k) => args._given.includes(k));
  if (name !== 'seqpe' && misplaced.length) {
    throw new UsageError(`--${misplaced[0]} applies to SeqPE only; --encoding ${name} has no ${misplaced[0] === 'mode' ? 'application mode' : 'such objective'}`);
  }
  if (task === 'vit') {
    if (name === 'seqpe') {
      const v = seqpeVariant(args, 'qk_gate');
      const base = vitSeqpe(profile);
      if (base.encoding.name !== 'seqpe') throw new Error('vitSeqpe returned a non-SeqPE method');
      const o = { ...base.encoding.objectives };
      if (!v.contrastive) delete o.contrastive;
      if (!v.distillation) delete o.distillation;
      if (!v.shift) delete o.shift;
      return { ...base, label: v.label, encoding: { ...base.encoding, mode: (v.mode ?? base.encoding.mode) as never, objectives: o } };
    }
    const m = vitMethods(profile).find((x) => x.encoding.name === name);
    if (!m) throw new UsageError(`--encoding ${name} is not available for the ViT; use one of ${vitMethods(profile).map((x) => x.encoding.name).join(', ')}`);
    return m;
  }
  if (name === 'seqpe') {
    const v = seqpeVariant(args, 'attn_bias');
    return lmSeqpe(profile, { mode: v.mode as never, contrastive: v.contrastive, distillation: v.distillation, shift: v.shift }, v.label);
  }
  const m = lmMethods(profile).find((x) => x.encoding.name === name);
  if (!m) throw new UsageError(`--encoding ${name} is not available for the LM (2-D only); use one of ${lmMethods(profile).map((x) => x.encoding.name).join(', ')}`);
  return m;
}

/** The run config the flags describe. Overrides touch the config only where they change a value (see the file comment). */
export function configFromArgs(args: Parsed): RunConfig {
  if (args._.length) throw new UsageError(`unexpected argument(s) ${args._.join(' ')}`);
  const task = String(args.task);
  const profile = getProfile(String(args.profile));
  const seed = Number(args.seed);
  const m = method(task, args, profile);
  let cfg: RunConfig;
  if (task === 'vit') cfg = vitRunConfig(profile, m, seed);
  else {
    const lm = lmRunConfig(profile, m, seed);
    cfg = task === 'qa' ? qaRunConfig(profile, lm) : lm;
  }
  if (args.steps !== undefined && args.steps !== cfg.train.steps) {
    const s = Number(args.steps);
    cfg.train.steps = s;
    if ('warmup' in cfg.train) cfg.train.warmup = Math.min(cfg.train.warmup, Math.floor(s / 10));
  }
  if (args.lr !== undefined && args.lr !== cfg.train.lr) cfg.train.lr = Number(args.lr);
  checkRunConfig(cfg, 'the run config these options give');
  return cfg;
}

/** Refuses a folder whose config.json is another run's (naming the fields), so two configs never share checkpoints. */
export function checkFolderConfig(dir: string, cfg: RunConfig): void {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) return;
  const held = parseJsonFile(file);
  const diffs = differingFields(held, cfg);
  if (diffs.length === 0) return;
  const list = diffs.slice(0, 8).map((d) => `${d.field} (folder ${JSON.stringify(d.saved) ?? 'absent'}, this run ${JSON.stringify(d.current) ?? 'absent'})`).join('; ');
  throw new UsageError(`--out ${dir} already holds a run with another config; refusing to mix them. Differing fields: ${list}${diffs.length > 8 ? `; and ${diffs.length - 8} more` : ''}. Use another --out, or delete the folder to start over`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), TRAIN_OPTIONS);
  if (args.help) {
    console.log(helpText('usage: npm run train -- [options]', TRAIN_OPTIONS));
    return;
  }
  const cfg = configFromArgs(args);
  const dir = args.out ? path.resolve(String(args.out)) : runDir(cfg.kind, cfg);
  prepareOutDir(dir, args.out ? '--out' : 'run folder');
  checkFolderConfig(dir, cfg);
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1));
  console.log(describeBackend(await initBackend()));
  console.log(`run folder: ${path.relative(process.cwd(), dir)}`);
  await runInFolder(dir);
  console.log(fs.readFileSync(path.join(dir, 'result.json'), 'utf8').split('\n').slice(0, 40).join('\n'));
}

/** Runs the command with process.argv (the installed package's bin/seqpe-train.cjs calls this: there require.main is the bin). */
export function cli(): void {
  runCli('train', main);
}

if (require.main === module) cli();
