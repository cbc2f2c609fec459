/**
 * npm run reproduce [-- --profile quick|small|paper] [--only NAME[,NAME]] [--fresh] [--workers N] [--no-report]
 *
 * Runs only what is missing (results/runs/<kind>-<config hash>/result.json), in parallel worker processes (one per core),
 * resuming interrupted runs from their checkpoints, then regenerates tables and figures into figures/<profile>/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { EXPERIMENTS, getExperiment, runDependencies } from '../experiments/catalog';
import { configHash, runDir, writeFileAtomic } from '../experiments/cache';
import type { RunConfig } from '../experiments/configs';
import { getProfile, PROFILE_NAMES } from '../experiments/profiles';
import { defaultConcurrency, runPool, type Job } from '../experiments/pool';
import { figuresDir, writeReports } from '../experiments/reports';
import { closeRenderer } from '../report/render';
import { helpText, parseArgs, type OptionSpec } from './args';

const OPTIONS: OptionSpec[] = [
  { name: 'profile', type: 'string', help: `experiment size: ${PROFILE_NAMES.join(' | ')}`, default: 'small' },
  { name: 'only', type: 'list', help: `experiments to run: ${EXPERIMENTS.map((e) => e.name).join(', ')}` },
  { name: 'fresh', type: 'flag', help: 'delete the selected runs’ cached results and checkpoints first' },
  { name: 'workers', type: 'number', help: 'parallel worker processes (default: one per core, or SEQPE_WORKERS)' },
  { name: 'no-report', type: 'flag', help: 'run the experiments but do not regenerate tables and figures' },
  { name: 'list', type: 'flag', help: 'list the runs and whether they are cached, then exit' },
  { name: 'help', type: 'flag', help: 'show this help' },
];

function describe(cfg: RunConfig): string {
  return `${cfg.kind} · ${cfg.method.label} · seed ${cfg.seed}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.help) {
    console.log(helpText('usage: npm run reproduce -- [options]', OPTIONS));
    return;
  }
  if (args._.length) throw new Error(`unexpected argument(s) ${args._.join(' ')}; see --help`);
  const profile = getProfile(String(args.profile));
  const names = (args.only as string[] | undefined) ?? EXPERIMENTS.map((e) => e.name);
  const experiments = names.map(getExperiment);
  const info = await initBackend();
  console.log(`${describeBackend(info)}\nprofile: ${profile.name} — ${profile.caveat}`);
  if (profile.name === 'paper' && info.name !== 'tensorflow') {
    console.warn('warning: the paper profile trains GPT-2 small and ViT-S for 100 000 steps; on this engine that takes months');
  }

  // Collect runs (shared between experiments) and their dependencies.
  const byDir = new Map<string, RunConfig>();
  const add = (cfg: RunConfig): void => {
    for (const d of runDependencies(cfg)) add(d);
    byDir.set(runDir(cfg.kind, cfg), cfg);
  };
  for (const e of experiments) for (const r of e.runs(profile)) add(r);

  const jobs: Job[] = [];
  let cached = 0;
  for (const [dir, cfg] of byDir) {
    if (args.fresh && fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    const done = fs.existsSync(path.join(dir, 'result.json'));
    if (args.list) console.log(`${done ? 'cached ' : 'missing'}  ${path.relative(process.cwd(), dir)}  ${describe(cfg)}`);
    if (done) {
      cached++;
      continue;
    }
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1));
    const deps = runDependencies(cfg).map((d) => runDir(d.kind, d)).filter((d) => !fs.existsSync(path.join(d, 'result.json')));
    jobs.push({ id: dir, dir, dependsOn: deps, label: describe(cfg) });
  }
  if (args.list) return;
  const workers = (args.workers as number | undefined) ?? defaultConcurrency();
  console.log(`${byDir.size} runs: ${cached} cached, ${jobs.length} to run on ${workers} worker process(es)`);
  const t0 = Date.now();
  let finished = 0;
  await runPool(jobs, {
    concurrency: workers,
    onEvent: (e) => {
      const el = ((Date.now() - t0) / 1000).toFixed(0);
      if (e.type === 'start') console.log(`[${el}s] start  ${e.job.label}  (${path.basename(e.job.dir)})`);
      else {
        if (e.type === 'done') finished++;
        console.log(`[${el}s] ${e.type === 'done' ? 'done ' : 'FAILED'} ${e.job.label} in ${e.seconds?.toFixed(0)} s  (${finished}/${jobs.length})`);
      }
    },
  });
  if (!args['no-report']) {
    const out = await writeReports(profile, names);
    await closeRenderer();
    console.log(`wrote ${out.tables.length} table(s) and ${out.figures.length} figure(s) to ${path.relative(process.cwd(), figuresDir(profile))}/ (SUMMARY.md lists them)`);
  }
  console.log(`reproduce: done in ${((Date.now() - t0) / 1000).toFixed(0)} s (config hashes: ${[...byDir.values()].slice(0, 3).map((c) => configHash(c)).join(', ')}…)`);
}

main().catch(async (e) => {
  await closeRenderer().catch(() => undefined);
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
