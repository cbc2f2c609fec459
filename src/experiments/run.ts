/**
 * Run experiments programmatically (the reproduce CLI and the notebooks both use this): collect the runs the named
 * experiments need, run the missing ones in worker processes, regenerate the reports, and load results.
 */
import * as fs from 'fs';
import * as path from 'path';
import { getExperiment, runDependencies, EXPERIMENTS } from './catalog';
import { readJson, runDir, writeFileAtomic } from './cache';
import type { RunConfig } from './configs';
import { getProfile, type Profile } from './profiles';
import { defaultConcurrency, runPool, type Job } from './pool';
import { writeReports, type ReportOutput } from './reports';

export interface RunExperimentsOptions {
  profile?: string;
  /** Delete the selected runs' cached results first. */
  fresh?: boolean;
  workers?: number;
  report?: boolean;
  log?: (line: string) => void;
  /** Run only the planned runs this accepts (e.g. one shard, shard.ts); the others are neither run nor deleted. */
  select?: (cfg: RunConfig) => boolean;
}

export interface PlannedRun {
  dir: string;
  config: RunConfig;
  cached: boolean;
}

export function describeRun(cfg: RunConfig): string {
  return `${cfg.kind} · ${cfg.method.label} · seed ${cfg.seed}`;
}

/** Every run the experiments need (dependencies first), and whether each is cached. */
export function planRuns(names: string[], profile: Profile): PlannedRun[] {
  const byDir = new Map<string, RunConfig>();
  const add = (cfg: RunConfig): void => {
    for (const d of runDependencies(cfg)) add(d);
    byDir.set(runDir(cfg.kind, cfg), cfg);
  };
  for (const n of names) for (const r of getExperiment(n).runs(profile)) add(r);
  return [...byDir].map(([dir, config]) => ({ dir, config, cached: fs.existsSync(path.join(dir, 'result.json')) }));
}

export async function runExperiments(names: string[] = EXPERIMENTS.map((e) => e.name), o: RunExperimentsOptions = {}): Promise<ReportOutput | undefined> {
  const profile = getProfile(o.profile ?? 'small');
  const log = o.log ?? ((l: string) => console.log(l));
  const planned = o.select ? planRuns(names, profile).filter((r) => o.select!(r.config)) : planRuns(names, profile);
  const jobs: Job[] = [];
  for (const r of planned) {
    if (o.fresh && fs.existsSync(r.dir)) {
      fs.rmSync(r.dir, { recursive: true, force: true });
      r.cached = false;
    }
    if (r.cached) continue;
    fs.mkdirSync(r.dir, { recursive: true });
    writeFileAtomic(path.join(r.dir, 'config.json'), JSON.stringify(r.config, null, 1));
    const deps = runDependencies(r.config).map((d) => runDir(d.kind, d)).filter((d) => !fs.existsSync(path.join(d, 'result.json')));
    jobs.push({ id: r.dir, dir: r.dir, dependsOn: deps, label: describeRun(r.config) });
  }
  const workers = o.workers ?? defaultConcurrency();
  log(`${planned.length} runs: ${planned.length - jobs.length} cached, ${jobs.length} to run on ${workers} worker process(es)`);
  const t0 = Date.now();
  let finished = 0;
  await runPool(jobs, {
    concurrency: workers,
    onEvent: (e) => {
      const el = ((Date.now() - t0) / 1000).toFixed(0);
      if (e.type === 'start') log(`[${el}s] start  ${e.job.label}  (${path.basename(e.job.dir)})`);
      else {
        if (e.type === 'done') finished++;
        log(`[${el}s] ${e.type === 'done' ? 'done ' : 'FAILED'} ${e.job.label} in ${e.seconds?.toFixed(0)} s  (${finished}/${jobs.length})`);
      }
    },
  });
  if (o.report === false) return undefined;
  return writeReports(profile, names);
}

/** The cached result of every run of an experiment, with its config (throws if one is missing). */
export function loadResults<T = Record<string, unknown>>(name: string, profileName = 'small'): Array<{ config: RunConfig; result: T }> {
  const profile = getProfile(profileName);
  return getExperiment(name).runs(profile).map((config) => {
    const file = path.join(runDir(config.kind, config), 'result.json');
    const result = readJson<T>(file);
    if (!result) throw new Error(`missing ${file}: run runExperiments(['${name}'], {profile: '${profileName}'}) first`);
    return { config, result };
  });
}
