/**
 * Runs independent jobs in parallel worker processes, one per core (the wasm backend is single-threaded, so two
 * processes use both cores), respecting dependencies (a QA fine-tune waits for its LM). Each job is a child process
 * running src/experiments/worker.ts on a run folder; its stdout/stderr go to run.log in that folder.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from './cache';

export interface Job {
  id: string;
  dir: string;
  /** ids of jobs that must finish first */
  dependsOn?: string[];
  label: string;
}

export interface PoolOptions {
  concurrency?: number;
  /** called when a job starts/ends, for progress lines */
  onEvent?: (e: { type: 'start' | 'done' | 'fail'; job: Job; seconds?: number; running: number; left: number }) => void;
}

export function defaultConcurrency(): number {
  const env = process.env.SEQPE_WORKERS;
  if (env) {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`SEQPE_WORKERS=${env} must be a positive integer`);
    return n;
  }
  return Math.max(1, os.cpus().length);
}

function runOne(job: Job): Promise<void> {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(path.join(job.dir, 'run.log'), 'a');
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [path.join(PROJECT_ROOT, 'src', 'experiments', 'worker.ts'), job.dir], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', log, log],
      env: { ...process.env, SEQPE_WORKER: '1' },
    });
    child.on('error', (err) => {
      fs.closeSync(log);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      fs.closeSync(log);
      if (code === 0) resolve();
      else {
        const tail = fs.readFileSync(path.join(job.dir, 'run.log'), 'utf8').split('\n').slice(-25).join('\n');
        reject(new Error(`run ${job.label} (${job.dir}) failed with ${signal ?? `exit code ${code}`}; last log lines:\n${tail}`));
      }
    });
  });
}

/** Runs all jobs; rejects with the first failure after the running ones finish. */
export async function runPool(jobs: Job[], opts: PoolOptions = {}): Promise<void> {
  const concurrency = opts.concurrency ?? defaultConcurrency();
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const j of jobs) for (const d of j.dependsOn ?? []) {
    if (!byId.has(d)) throw new Error(`job ${j.id} depends on unknown job ${d}`);
  }
  const done = new Set<string>();
  const pending = [...jobs];
  let running = 0;
  let failure: Error | undefined;
  await new Promise<void>((resolveAll) => {
    const pump = (): void => {
      if (failure && running === 0) return resolveAll();
      if (!failure) {
        while (running < concurrency) {
          const idx = pending.findIndex((j) => (j.dependsOn ?? []).every((d) => done.has(d)));
          if (idx < 0) break;
          const job = pending.splice(idx, 1)[0];
          running++;
          const t0 = Date.now();
          opts.onEvent?.({ type: 'start', job, running, left: pending.length });
          runOne(job).then(
            () => {
              running--;
              done.add(job.id);
              opts.onEvent?.({ type: 'done', job, seconds: (Date.now() - t0) / 1000, running, left: pending.length });
              pump();
            },
            (err: Error) => {
              running--;
              failure = failure ?? err;
              opts.onEvent?.({ type: 'fail', job, seconds: (Date.now() - t0) / 1000, running, left: pending.length });
              pump();
            },
          );
        }
      }
      if (running === 0 && (pending.length === 0 || failure)) resolveAll();
      else if (running === 0 && pending.length > 0) {
        failure = new Error(`jobs blocked by unmet dependencies: ${pending.map((j) => j.id).join(', ')}`);
        resolveAll();
      }
    };
    pump();
  });
  if (failure) throw failure;
}
