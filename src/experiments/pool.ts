/**
 * Runs independent jobs in parallel worker processes, one per core (the wasm backend is single-threaded, so two
 * processes use both cores), respecting dependencies (a QA fine-tune waits for its LM). Each job is a child process
 * running src/experiments/worker.ts on a run folder; its stdout/stderr go to run.log in that folder.
 *
 * Several runners on one results folder (a second `npm run reproduce`, or shards on several machines): the worker owns
 * the folder through its lock (lock.ts). Before starting a job the pool looks at the lock, and a worker that loses the
 * race exits with LOCKED_EXIT_CODE; either way the job is locked by another runner and is
 *   - skipped (and reported) when nothing in this pool depends on it;
 *   - waited for when a job here depends on it: every `pollMs` the pool looks again; a valid result → done; the lock
 *     gone or stale without a result (the other runner failed or was killed) → the job runs here.
 *
 * The workers die with the runner: each has an IPC channel and watches its parent (parent-watch.ts), so they stop when
 * the runner exits or is killed, even by kill -9. On SIGINT, SIGTERM or SIGHUP the pool sends SIGTERM to its workers
 * (each releases its lock and exits; SIGKILL after 10 s), waits for them and rejects with the signal named.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from './cache';
import { describeHolder, inspectLock, LOCKED_EXIT_CODE, type LockInfo, type LockOptions } from './lock';

export interface Job {
  id: string;
  dir: string;
  /** ids of jobs that must finish first */
  dependsOn?: string[];
  label: string;
}

export type PoolEventType = 'start' | 'done' | 'fail' | 'skip' | 'wait';

export interface PoolEvent {
  type: PoolEventType;
  job: Job;
  seconds?: number;
  running: number;
  left: number;
  /** skip/wait: who holds the run; done: 'finished by another runner' when it did. */
  note?: string;
}

export interface PoolOptions {
  concurrency?: number;
  /** called when a job starts/ends, is skipped or waited for, for progress lines */
  onEvent?: (e: PoolEvent) => void;
  /** The worker script run on each job's folder (tests use stand-ins). Default src/experiments/worker.ts. */
  worker?: string;
  /** Whether a job's folder holds a finished, valid result. Default: result.json exists. */
  isDone?: (job: Job) => boolean;
  /** How often runs locked by another runner are looked at again while a job here waits for them. Default 2000 ms. */
  pollMs?: number;
  lock?: LockOptions;
}

export interface PoolSummary {
  /** Jobs run here to completion, or finished by another runner while this pool waited. */
  done: string[];
  /** Jobs left to another runner that holds them, with the holder. */
  skipped: Array<{ job: Job; holder?: LockInfo }>;
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

// The built package's bin sets SEQPE_WORKER_SCRIPT to its compiled worker (dist/cjs/experiments/worker.js): no src/, no tsx there.
const DEFAULT_WORKER = process.env.SEQPE_WORKER_SCRIPT || path.join(PROJECT_ROOT, 'src', 'experiments', 'worker.ts');
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** One worker process on a job's folder: 'ok', or 'locked' when another process owns the folder; rejects on failure. */
function runOne(job: Job, script: string, children: Set<ChildProcess>): Promise<'ok' | 'locked'> {
  return new Promise((resolve, reject) => {
    const logFile = path.join(job.dir, 'run.log');
    const log = fs.openSync(logFile, 'a');
    // node itself (not the tsx CLI, which would add a process between us and the worker), so the IPC channel and the
    // pid the worker's lock records are the worker's own.
    const child = spawn(process.execPath, [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, job.dir], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', log, log, 'ipc'],
      env: { ...process.env, SEQPE_WORKER: '1' },
    });
    children.add(child);
    child.on('error', (err) => {
      children.delete(child);
      fs.closeSync(log);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      fs.closeSync(log);
      if (code === 0) resolve('ok');
      else if (code === LOCKED_EXIT_CODE) resolve('locked');
      else {
        const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
        reject(new Error(`run ${job.label} (${job.dir}) failed with ${signal ?? `exit code ${code}`}; last log lines:\n${tail}`));
      }
    });
  });
}

/** Runs all jobs; rejects with the first failure after the running ones finish. */
export async function runPool(jobs: Job[], opts: PoolOptions = {}): Promise<PoolSummary> {
  const concurrency = opts.concurrency ?? defaultConcurrency();
  const script = opts.worker ?? DEFAULT_WORKER;
  const isDone = opts.isDone ?? ((j: Job) => fs.existsSync(path.join(j.dir, 'result.json')));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const j of jobs) for (const d of j.dependsOn ?? []) {
    if (!byId.has(d)) throw new Error(`job ${j.id} depends on unknown job ${d}`);
  }
  const done = new Set<string>();
  const skipped: PoolSummary['skipped'] = [];
  const pending = [...jobs];
  /** Jobs locked by another runner that a job here depends on. */
  const waiting = new Map<string, Job>();
  const children = new Set<ChildProcess>();
  let running = 0;
  let failure: Error | undefined;
  let poll: NodeJS.Timeout | undefined;
  const emit = (type: PoolEventType, job: Job, extra: Partial<PoolEvent> = {}): void =>
    opts.onEvent?.({ type, job, running, left: pending.length, ...extra });

  const onSignal = (sig: NodeJS.Signals): void => {
    failure = failure ?? new Error(`interrupted by ${sig}: stopped ${children.size} running worker(s); their last checkpoints stay`);
    pending.length = 0;
    waiting.clear();
    for (const c of children) c.kill('SIGTERM');
    const killer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 10_000);
    killer.unref();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);

  try {
    await new Promise<void>((resolveAll) => {
      /** Another runner holds `job`: wait for it if a job here needs it, else leave it to that runner. */
      const lockedElsewhere = (job: Job, holder: LockInfo | undefined): void => {
        const needed = pending.some((p) => (p.dependsOn ?? []).includes(job.id));
        if (needed) {
          waiting.set(job.id, job);
          emit('wait', job, { note: `locked by ${describeHolder(holder)}` });
          poll = poll ?? setInterval(checkWaiting, opts.pollMs ?? 2000);
        } else {
          skipped.push({ job, holder });
          emit('skip', job, { note: `locked by ${describeHolder(holder)}` });
        }
      };
      const checkWaiting = (): void => {
        for (const job of [...waiting.values()]) {
          if (isDone(job)) {
            waiting.delete(job.id);
            done.add(job.id);
            emit('done', job, { note: 'finished by another runner' });
          } else if (inspectLock(job.dir, opts.lock).state !== 'held') {
            // The other runner let go without a result (it failed or was killed): run it here.
            waiting.delete(job.id);
            pending.unshift(job);
          }
        }
        if (waiting.size === 0 && poll) {
          clearInterval(poll);
          poll = undefined;
        }
        pump();
      };
      const pump = (): void => {
        if (!failure) {
          while (running < concurrency) {
            const idx = pending.findIndex((j) => (j.dependsOn ?? []).every((d) => done.has(d)));
            if (idx < 0) break;
            const job = pending.splice(idx, 1)[0];
            const lock = inspectLock(job.dir, opts.lock);
            if (lock.state === 'held') {
              if (isDone(job)) {
                done.add(job.id);
                emit('done', job, { note: 'finished by another runner' });
              } else lockedElsewhere(job, lock.info);
              continue;
            }
            running++;
            const t0 = Date.now();
            emit('start', job);
            runOne(job, script, children).then(
              (outcome) => {
                running--;
                if (outcome === 'locked') {
                  const st = inspectLock(job.dir, opts.lock);
                  lockedElsewhere(job, st.state === 'free' ? undefined : st.info);
                } else {
                  done.add(job.id);
                  emit('done', job, { seconds: (Date.now() - t0) / 1000 });
                }
                pump();
              },
              (err: Error) => {
                running--;
                failure = failure ?? err;
                emit('fail', job, { seconds: (Date.now() - t0) / 1000 });
                pump();
              },
            );
          }
        }
        if (failure) waiting.clear();
        if (running > 0 || waiting.size > 0) return;
        if (poll) clearInterval(poll);
        if (pending.length > 0 && !failure) {
          failure = new Error(`jobs blocked by unmet dependencies: ${pending.map((j) => j.id).join(', ')}`);
        }
        resolveAll();
      };
      pump();
    });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    if (poll) clearInterval(poll);
  }
  if (failure) throw failure;
  return { done: [...done], skipped };
}
