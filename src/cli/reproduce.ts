/**
 * npm run reproduce [-- --profile quick|small|paper] [--only NAME[,NAME]] [--fresh] [--workers N] [--no-report] [--shard i/n]
 *
 * Runs only what is missing (results/runs/<kind>-<config hash>/result.json), in parallel worker processes (one per core),
 * resuming interrupted runs from their checkpoints, then regenerates tables and figures into figures/<profile>/.
 * With --shard i/n only shard i's runs are trained (src/experiments/shard.ts: by the config hash of each run's root, so a
 * QA run stays with its LM); n such processes sharing one results folder (SEQPE_RESULTS_DIR) fill the whole grid. A shard
 * writes the reports only if, when it ends, every run of the plan is cached (e.g. the last shard to finish); otherwise a
 * final `npm run reproduce` without --shard finds everything cached and writes them.
 */
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { EXPERIMENTS, getExperiment } from '../experiments/catalog';
import { getProfile, PROFILE_NAMES } from '../experiments/profiles';
import { figuresDir, writeReports } from '../experiments/reports';
import { describeRun, planRuns, runExperiments } from '../experiments/run';
import { inShard, parseShard, shardPlan } from '../experiments/shard';
import { closeRenderer } from '../report/render';
import { CONFIG_OPTION, HELP_OPTION, helpText, parseArgs, runCli, UsageError, type OptionSpec } from './args';

const OPTIONS: OptionSpec[] = [
  { name: 'profile', type: 'string', choices: PROFILE_NAMES, help: `experiment size: ${PROFILE_NAMES.join(' | ')}`, default: 'small' },
  { name: 'only', type: 'list', choices: EXPERIMENTS.map((e) => e.name), help: `experiments to run: ${EXPERIMENTS.map((e) => e.name).join(', ')}` },
  { name: 'fresh', type: 'flag', help: 'delete the selected runs’ cached results and checkpoints first' },
  { name: 'workers', type: 'int', min: 1, help: 'parallel worker processes (default: one per core, or SEQPE_WORKERS)' },
  { name: 'no-report', type: 'flag', help: 'run the experiments but do not regenerate tables and figures' },
  { name: 'shard', type: 'string', help: 'run only shard i of n (1-based, e.g. 2/4) of the run grid, by config hash; see the README' },
  { name: 'list', type: 'flag', help: 'list the runs and whether they are cached, then exit' },
  CONFIG_OPTION,
  HELP_OPTION,
];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.help) {
    console.log(helpText('usage: npm run reproduce -- [options]', OPTIONS));
    return;
  }
  if (args._.length) throw new UsageError(`unexpected argument(s) ${args._.join(' ')}`);
  const profile = getProfile(String(args.profile));
  const names = (args.only as string[] | undefined) ?? EXPERIMENTS.map((e) => e.name);
  names.forEach(getExperiment); // validates the names before anything runs
  let shard: ReturnType<typeof parseShard> | undefined;
  try {
    shard = args.shard === undefined ? undefined : parseShard(String(args.shard));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const info = await initBackend();
  console.log(`${describeBackend(info)}\nprofile: ${profile.name} — ${profile.caveat}`);
  if (profile.name === 'paper' && info.name !== 'tensorflow') {
    console.warn('warning: the paper profile trains GPT-2 small and ViT-S for 100 000 steps; on this engine that takes months');
  }

  if (shard) console.log(`shard ${shard.index}/${shard.count}: ${shardPlan(planRuns(names, profile), shard).length} of ${planRuns(names, profile).length} runs`);
  if (args.list) {
    const plan = planRuns(names, profile);
    for (const r of shard ? shardPlan(plan, shard) : plan) console.log(`${r.cached ? 'cached ' : 'missing'}  ${path.relative(process.cwd(), r.dir)}  ${describeRun(r.config)}`);
    return;
  }
  const t0 = Date.now();
  const wantReport = !args['no-report'];
  let out = await runExperiments(names, {
    profile: profile.name,
    fresh: Boolean(args.fresh),
    workers: args.workers as number | undefined,
    report: wantReport && !shard,
    select: shard ? (cfg) => inShard(cfg, shard) : undefined,
  });
  if (shard && wantReport) {
    // The reports need every shard's runs; write them only if the other shards are already done.
    const missing = planRuns(names, profile).filter((r) => !r.cached);
    if (missing.length === 0) out = await writeReports(profile, names);
    else console.log(`shard ${shard.index}/${shard.count} done; ${missing.length} run(s) of other shards are not cached yet, so no reports were written (run without --shard once all shards finish)`);
  }
  if (out) {
    await closeRenderer();
    console.log(`wrote ${out.tables.length} table(s) and ${out.figures.length} figure(s) to ${path.relative(process.cwd(), figuresDir(profile))}/ (SUMMARY.md lists them)`);
  }
  console.log(`reproduce: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

runCli('reproduce', main, closeRenderer);
