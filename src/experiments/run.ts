/**
 * Run experiments programmatically (the reproduce CLI and the notebooks both use this): collect the runs the named
 * experiments need, run the missing ones in worker processes, regenerate the reports, and load results.
 */
import * as fs from 'fs';
import * as path from 'path';
import { getExperiment, runDependencies, EXPERIMENTS } from './catalog';
import { readRunResult, runDir, writeFileAtomic } from './cache';
import { hasRunWeights } from './run-weights';
import type { RunConfig } from './configs';
import { describeHolder, inspectLock } from './lock';
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
  /** result.json is there and valid (result-check.ts). */
  cached: boolean;
  /** Why a result.json that is there cannot be used (the run is planned again). */
  invalid?: string;
}

export function describeRun(cfg: RunConfig): string {
  return `${cfg.kind} · ${cfg.method.label} · seed ${cfg.seed}`;
}

/** Every run the experiments need (dependencies first), and whether each is cached with a valid result. */
export function planRuns(names: string[], profile: Profile): PlannedRun[] {
  const byDir = new Map<string, RunConfig>();
  const add = (cfg: RunConfig): void => {
    for (const d of runDependencies(cfg)) add(d);
    byDir.set(runDir(cfg.kind, cfg), cfg);
  };
  for (const n of names) for (const r of getExperiment(n).runs(profile)) add(r);
  return [...byDir].map(([dir, config]) => {
    const r = readRunResult(dir, config.kind);
    return { dir, config, cached: r.status === 'valid', invalid: r.status === 'invalid' ? `${r.file}: ${r.problem}` : undefined };
  });
}

/**
 * The cached runs that a planned (not cached) run needs the trained parameters of, but whose folder holds neither a
 * checkpoint nor weights.safetensors: runs trained before every run wrote its weights, in a checkout without their
 * (never committed) checkpoints. A QA run on such an LM would fail after the pool had started, stopping the runs
 * around it, so the plan is refused up front instead.
 */
export function dependenciesWithoutWeights(planned: PlannedRun[]): { run: string; needs: string }[] {
  const byDir = new Map(planned.map((r) => [r.dir, r]));
  const out: { run: string; needs: string }[] = [];
  for (const r of planned) {
    if (r.cached) continue;
    for (const d of runDependencies(r.config)) {
      const dir = runDir(d.kind, d);
      if (isCached(byDir, d) && !hasRunWeights(dir) && !fs.existsSync(path.join(dir, 'checkpoint.bin'))) out.push({ run: r.dir, needs: dir });
    }
  }
  return out;
}

/** Whether `cfg` has a valid cached result: as planned when the plan holds it (planRuns read it), else read now. */
function isCached(byDir: Map<string, PlannedRun>, cfg: RunConfig): boolean {
  const dir = runDir(cfg.kind, cfg);
  return byDir.get(dir)?.cached ?? readRunResult(dir, cfg.kind).status === 'valid';
}

export async function runExperiments(names: string[] = EXPERIMENTS.map((e) => e.name), o: RunExperimentsOptions = {}): Promise<ReportOutput | undefined> {
  const profile = getProfile(o.profile ?? 'small');
  const log = o.log ?? ((l: string) => console.log(l));
  const planned = o.select ? planRuns(names, profile).filter((r) => o.select!(r.config)) : planRuns(names, profile);
  const byDir = new Map(planned.map((r) => [r.dir, r]));
  const noWeights = o.fresh ? [] : dependenciesWithoutWeights(planned);
  if (noWeights.length > 0) {
    const needed = [...new Set(noWeights.map((x) => x.needs))];
    throw new Error(
      `${noWeights.length} run(s) fine-tune a model whose trained parameters are not in this checkout: ${needed.map((d) => path.relative(process.cwd(), d)).join(', ')} ` +
        `hold a result but neither checkpoint.bin nor weights.safetensors (trained before runs wrote their weights). ` +
        `Delete those folders and run again (they retrain deterministically, and write their weights), or leave out the experiment that needs them (--only).`,
    );
  }
  const jobs: Job[] = [];
  for (const r of planned) {
    if (r.invalid) log(`bad cached result, not used; the run is planned again: ${r.invalid}`);
    const lock = inspectLock(r.dir);
    if (o.fresh && fs.existsSync(r.dir)) {
      if (lock.state === 'held') log(`--fresh: not deleting ${r.dir}: it is locked by ${describeHolder(lock.info)}`);
      else {
        fs.rmSync(r.dir, { recursive: true, force: true });
        r.cached = false;
      }
    }
    if (r.cached) continue;
    fs.mkdirSync(r.dir, { recursive: true });
    // Another runner may own the folder: it wrote the same config.json (same hash), so leave its copy alone.
    if (lock.state !== 'held' || !fs.existsSync(path.join(r.dir, 'config.json'))) writeFileAtomic(path.join(r.dir, 'config.json'), JSON.stringify(r.config, null, 1));
    const deps = runDependencies(r.config)
      .filter((d) => !isCached(byDir, d))
      .map((d) => runDir(d.kind, d));
    jobs.push({ id: r.dir, dir: r.dir, dependsOn: deps, label: describeRun(r.config) });
  }
  const workers = o.workers ?? defaultConcurrency();
  log(`${planned.length} runs: ${planned.length - jobs.length} cached, ${jobs.length} to run on ${workers} worker process(es)`);
  const t0 = Date.now();
  let finished = 0;
  const summary = await runPool(jobs, {
    concurrency: workers,
    isDone: (job) => readRunResult(job.dir, byDir.get(job.dir)!.config.kind).status === 'valid',
    onEvent: (e) => {
      const el = ((Date.now() - t0) / 1000).toFixed(0);
      const name = `${e.job.label}  (${path.basename(e.job.dir)})`;
      if (e.type === 'start') log(`[${el}s] start  ${name}`);
      else if (e.type === 'skip') log(`[${el}s] skip   ${name}: ${e.note}; another runner is training it`);
      else if (e.type === 'wait') log(`[${el}s] wait   ${name}: ${e.note}; a run here needs it, so waiting for it`);
      else {
        if (e.type === 'done') finished++;
        const how = e.note ?? `in ${e.seconds?.toFixed(0)} s`;
        log(`[${el}s] ${e.type === 'done' ? 'done ' : 'FAILED'} ${e.job.label} ${how}  (${finished}/${jobs.length})`);
      }
    },
  });
  if (o.report === false) return undefined;
  if (summary.skipped.length > 0) {
    log(`${summary.skipped.length} run(s) are being trained by another runner; no reports written now (run again once it finishes)`);
    return undefined;
  }
  return writeReports(profile, names);
}

/** The cached result of every run of an experiment, with its config (throws if one is missing or invalid, naming its path). */
export function loadResults<T = Record<string, unknown>>(name: string, profileName = 'small'): Array<{ config: RunConfig; result: T }> {
  const profile = getProfile(profileName);
  return getExperiment(name).runs(profile).map((config) => {
    const r = readRunResult<T>(runDir(config.kind, config), config.kind);
    const again = `run runExperiments(['${name}'], {profile: '${profileName}'})`;
    if (r.status === 'missing') throw new Error(`missing ${r.file}: ${again} first`);
    if (r.status === 'invalid') throw new Error(`${r.file} is not a valid result (${r.problem}): ${again} to train it again`);
    return { config, result: r.result };
  });
}
