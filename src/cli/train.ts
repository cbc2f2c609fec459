/**
 * npm run train -- --task lm|vit|qa --encoding NAME [--profile small] [--seed 1] [--steps N] [--out DIR] ...
 *
 * Trains one model with any position encoding (the same run configs and runners the reproduction uses), evaluates it,
 * and writes config.json, log.jsonl, checkpoint.bin and result.json into the run folder. Rerunning resumes from the
 * checkpoint.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { ENCODING_NAMES } from '../encodings/index';
import { SEQPE_MODES } from '../encodings/seqpe/index';
import { lmMethods, lmRunConfig, lmSeqpe, qaRunConfig, vitMethods, vitRunConfig, type MethodSpec, type RunConfig } from '../experiments/configs';
import { runDir, writeFileAtomic } from '../experiments/cache';
import { getProfile, PROFILE_NAMES } from '../experiments/profiles';
import { runInFolder } from '../experiments/worker';
import { helpText, parseArgs, type OptionSpec } from './args';

const OPTIONS: OptionSpec[] = [
  { name: 'task', type: 'string', help: 'lm (language modelling), qa (fine-tune the matching lm run on needle QA), vit (MNIST)', default: 'lm' },
  { name: 'encoding', type: 'string', help: `position encoding: ${ENCODING_NAMES.join(', ')}`, default: 'seqpe' },
  { name: 'mode', type: 'string', help: `SeqPE application mode: ${SEQPE_MODES.join(', ')} (default: attn_bias for lm, qk_gate for vit)` },
  { name: 'no-contrastive', type: 'flag', help: 'SeqPE without L_δ' },
  { name: 'no-distillation', type: 'flag', help: 'SeqPE without L_OOD (the distillation objective; official: transfer)' },
  { name: 'no-shift', type: 'flag', help: 'SeqPE without random position shift' },
  { name: 'profile', type: 'string', help: `sizes and defaults: ${PROFILE_NAMES.join(' | ')}`, default: 'small' },
  { name: 'seed', type: 'number', help: 'seed of initialisation, data order, dropout and samplers', default: 1 },
  { name: 'steps', type: 'number', help: 'training steps (default: the profile’s)' },
  { name: 'lr', type: 'number', help: 'peak learning rate (default: the profile’s)' },
  { name: 'out', type: 'string', help: 'run folder (default: results/runs/<kind>-<config hash>, shared with npm run reproduce)' },
  { name: 'help', type: 'flag', help: 'show this help' },
];

function method(task: string, args: ReturnType<typeof parseArgs>, profile: ReturnType<typeof getProfile>): MethodSpec {
  const name = String(args.encoding);
  if (!(ENCODING_NAMES as readonly string[]).includes(name)) {
    throw new Error(`--encoding ${JSON.stringify(name)} is not an encoding; expected one of ${ENCODING_NAMES.join(', ')}`);
  }
  if (task === 'vit') {
    const m = vitMethods(profile).find((x) => x.encoding.name === name);
    if (!m) throw new Error(`--encoding ${name} is not available for the ViT; use one of ${vitMethods(profile).map((x) => x.encoding.name).join(', ')}`);
    return m;
  }
  if (name === 'seqpe') {
    const mode = args.mode as string | undefined;
    if (mode !== undefined && !(SEQPE_MODES as readonly string[]).includes(mode)) throw new Error(`--mode ${mode}: expected one of ${SEQPE_MODES.join(', ')}`);
    return lmSeqpe(profile, {
      mode: mode as never,
      contrastive: !args['no-contrastive'],
      distillation: !args['no-distillation'],
      shift: !args['no-shift'],
    });
  }
  const m = lmMethods(profile).find((x) => x.encoding.name === name);
  if (!m) throw new Error(`--encoding ${name} is not available for the LM (2-D only); use one of ${lmMethods(profile).map((x) => x.encoding.name).join(', ')}`);
  return m;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.help) {
    console.log(helpText('usage: npm run train -- [options]', OPTIONS));
    return;
  }
  if (args._.length) throw new Error(`unexpected argument(s) ${args._.join(' ')}; see --help`);
  const task = String(args.task);
  if (!['lm', 'qa', 'vit'].includes(task)) throw new Error(`--task ${JSON.stringify(task)}: expected lm, qa or vit`);
  const profile = getProfile(String(args.profile));
  const seed = Number(args.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${seed}`);
  const m = method(task, args, profile);
  let cfg: RunConfig;
  if (task === 'vit') cfg = vitRunConfig(profile, m, seed);
  else {
    const lm = lmRunConfig(profile, m, seed);
    cfg = task === 'qa' ? qaRunConfig(profile, lm) : lm;
  }
  if (args.steps !== undefined) {
    const s = Number(args.steps);
    if (!Number.isInteger(s) || s < 1) throw new Error(`--steps must be a positive integer, got ${s}`);
    cfg.train.steps = s;
    if ('warmup' in cfg.train) cfg.train.warmup = Math.min(cfg.train.warmup, Math.floor(s / 10));
  }
  if (args.lr !== undefined) {
    const lr = Number(args.lr);
    if (!(lr > 0)) throw new Error(`--lr must be > 0, got ${lr}`);
    cfg.train.lr = lr;
  }
  const dir = args.out ? path.resolve(String(args.out)) : runDir(cfg.kind, cfg);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1));
  console.log(describeBackend(await initBackend()));
  console.log(`run folder: ${path.relative(process.cwd(), dir)}`);
  await runInFolder(dir);
  console.log(fs.readFileSync(path.join(dir, 'result.json'), 'utf8').split('\n').slice(0, 40).join('\n'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
