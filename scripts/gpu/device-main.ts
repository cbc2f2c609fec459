/**
 * The entry point bundled for the GPU machine (scripts/gpu/pack.sh → .gpu-bundle/app.js; run by device-run.sh):
 *
 *   node app.js lm [--runs all|i,j,…] [--parallel 8]    the gpu profile's LM table (lmRuns(PROFILES.gpu), 12 runs):
 *                                                        up to N runs at once, each in its own process on the one GPU
 *   node app.js worker <run folder>                      one run (what `lm` spawns)
 *   node app.js status                                   the table's runs: done / paused at step s / not started
 *   node app.js selftest                                 engine + corpus check: 3 steps of a tiny LM, losses printed
 *
 * Runs live in SEQPE_RESULTS_DIR (results/runs/<kind>-<hash>/, the same folders the CPU runner uses). A worker trains
 * until its run is done or SEQPE_STOP_AT (epoch ms) is reached; then it writes its checkpoint and exits with code 3
 * (paused), and a later call resumes it from that checkpoint (src/train/paused.ts). The engine is whatever
 * SEQPE_BACKEND says (webgpu on the device).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { lmRuns } from '../../src/experiments/catalog';
import { readRunResult, runDir, writeFileAtomic } from '../../src/experiments/cache';
import type { LmRunConfig } from '../../src/experiments/configs';
import { PROFILES } from '../../src/experiments/profiles';
import { runInFolder } from '../../src/experiments/worker';
import { TrainingPausedError } from '../../src/train/paused';
import { describeBackend, initBackend } from '../../src/backend';
import { createEncoding } from '../../src/encodings/index';
import { CausalLM } from '../../src/models/causal-lm';
import { Trainer } from '../../src/train/loop';
import { lmTask } from '../../src/train/tasks';
import { sotuTokenStream } from '../../src/data/lm-batches';
import { dispatchCount } from '../../src/kernels/webgpu/engine';

const PAUSED_EXIT = 3;

interface RunStatus {
  index: number;
  label: string;
  seed: number;
  dir: string;
  state: 'done' | 'paused' | 'not started' | 'failed';
  step: number;
  steps: number;
}

function table(): LmRunConfig[] {
  return lmRuns(PROFILES.gpu);
}

/** Last step logged in a run folder's log.jsonl (0 when none). */
function lastStep(dir: string): number {
  const f = path.join(dir, 'log.jsonl');
  if (!fs.existsSync(f)) return 0;
  const lines = fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const j = JSON.parse(lines[i]) as { step?: number };
      if (typeof j.step === 'number') return j.step;
    } catch {
      /* a torn last line: look further up */
    }
  }
  return 0;
}

function status(): RunStatus[] {
  return table().map((cfg, index) => {
    const dir = runDir('lm', cfg);
    const done = readRunResult(dir, 'lm').status === 'valid';
    const step = done ? cfg.train.steps : lastStep(dir);
    const failed = fs.existsSync(path.join(dir, 'failed.txt'));
    const state: RunStatus['state'] = done ? 'done' : failed ? 'failed' : step > 0 ? 'paused' : 'not started';
    return { index, label: cfg.method.label, seed: cfg.seed, dir, state, step, steps: cfg.train.steps };
  });
}

function printStatus(): void {
  for (const s of status()) {
    console.log(`${String(s.index).padStart(2)} ${s.label.padEnd(10)} seed ${s.seed}  ${s.state.padEnd(11)} ${s.step}/${s.steps}  ${path.basename(s.dir)}`);
  }
}

function parseRuns(v: string, n: number): number[] {
  if (v === 'all') return Array.from({ length: n }, (_, i) => i);
  const out = v.split(',').map((x) => Number(x.trim()));
  for (const i of out) if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`--runs: ${JSON.stringify(v)} must be 'all' or indices in [0, ${n})`);
  return out;
}

function opt(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}

async function lm(args: string[]): Promise<void> {
  const cfgs = table();
  const which = parseRuns(opt(args, 'runs', 'all'), cfgs.length);
  const parallel = Number(opt(args, 'parallel', '8'));
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`--parallel must be an integer ≥ 1, got ${opt(args, 'parallel', '8')}`);
  const todo = which.filter((i) => readRunResult(runDir('lm', cfgs[i]), 'lm').status !== 'valid');
  console.log(`gpu LM table: ${cfgs.length} runs, ${which.length} selected, ${todo.length} to train, ${parallel} at once`);
  for (const i of todo) {
    const dir = runDir('lm', cfgs[i]);
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(path.join(dir, 'failed.txt'), { force: true });
    if (!fs.existsSync(path.join(dir, 'config.json'))) writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(cfgs[i], null, 1));
  }
  const queue = [...todo];
  const t0 = Date.now();
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const dir = runDir('lm', cfgs[i]);
      const log = fs.openSync(path.join(dir, 'run.log'), 'a');
      const child = spawn(process.execPath, [process.argv[1], 'worker', dir], { stdio: ['ignore', log, log], env: process.env });
      child.on('exit', (code, signal) => {
        fs.closeSync(log);
        const el = ((Date.now() - t0) / 1000).toFixed(0);
        const what = code === 0 ? 'done' : code === PAUSED_EXIT ? `paused at step ${lastStep(dir)}` : `FAILED (${signal ?? `exit ${code}`})`;
        if (code !== 0 && code !== PAUSED_EXIT) {
          const tail = fs.readFileSync(path.join(dir, 'run.log'), 'utf8').split('\n').slice(-15).join('\n');
          fs.writeFileSync(path.join(dir, 'failed.txt'), `${what}\n${tail}\n`);
          console.log(tail);
        }
        console.log(`[${el}s] ${cfgs[i].method.label} seed ${cfgs[i].seed}: ${what}`);
        resolve();
      });
    });
  const lanes = Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    while (queue.length > 0) await one(queue.shift()!);
  });
  await Promise.all(lanes);
  printStatus();
}

async function worker(dir: string): Promise<number> {
  try {
    await runInFolder(path.resolve(dir), { skipIfDone: true });
    return 0;
  } catch (e) {
    if (e instanceof TrainingPausedError) {
      console.log(e.message);
      return PAUSED_EXIT;
    }
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    return 1;
  }
}

async function main(): Promise<number> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === 'lm') {
    await lm(rest);
    return 0;
  }
  if (cmd === 'worker' && rest[0]) return worker(rest[0]);
  if (cmd === 'selftest') {
    console.log(describeBackend(await initBackend()));
    const tokens = sotuTokenStream('train', { seed: 10086 }).tokens;
    console.log(`SOTU train split: ${tokens.length} tokens`);
    const enc = createEncoding({ name: 'ape', trainLength: 32 }, { dModel: 32, heads: 2, layers: 1 }, 7);
    const model = new CausalLM({ vocab: 256, dModel: 32, layers: 1, heads: 2, seed: 1 }, enc);
    const t = new Trainer(model, lmTask({ tokens, batch: 4, time: 32 }), { steps: 3, seed: 1, lr: 1e-3, progress: { mode: 'silent' } });
    for (let i = 0; i < 3; i++) {
      const d0 = dispatchCount();
      const r = await t.stepAsync();
      console.log(`step ${r.step}: loss ${r.loss.toFixed(6)}, ${r.ms.toFixed(0)} ms, ${dispatchCount() - d0} dispatches`);
    }
    t.dispose();
    return 0;
  }
  if (cmd === 'status') {
    printStatus();
    return 0;
  }
  console.error('usage: app.js lm [--runs all|i,j] [--parallel N] | worker <run folder> | status');
  return 2;
}

// process.exit: Dawn can keep the event loop alive after the work is done.
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
