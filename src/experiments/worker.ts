/**
 * One run in its own process: `node --import tsx src/experiments/worker.ts <run folder>`. Takes the folder's lock
 * (lock.ts; exits with LOCKED_EXIT_CODE if another process holds it), reads config.json, trains (resuming from the
 * folder's checkpoint if there is one), evaluates, and writes result.json last. meta.json records the backend, package
 * versions and git commit. Spawned by the pool, it stops when its runner goes away (parent-watch.ts), and when the
 * folder already holds a valid result (another runner finished it meanwhile) it trains nothing.
 */
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { exportRunWeights } from './run-weights';
import { gitCommit, packageVersions, readJson, readRunResult, writeFileAtomic, type RunMeta } from './cache';
import type { RunConfig } from './configs';
import { runLm } from './runners/lm';
import { runQa } from './runners/qa';
import { runVit } from './runners/vit';
import { readConfig } from './runners/common';
import { holdRunFolder, LOCKED_EXIT_CODE, RunFolderLockedError } from './lock';
import { dieWithParent } from './parent-watch';

export interface RunInFolderOptions {
  /** Train nothing when result.json is already a valid result (checked after taking the lock). Default false. */
  skipIfDone?: boolean;
}

/** Runs the folder's config under its lock; 'already-done' when skipIfDone found a valid result. */
export async function runInFolder(dir: string, o: RunInFolderOptions = {}): Promise<'ran' | 'already-done'> {
  const lock = holdRunFolder(dir, { log: (l) => console.log(l) });
  try {
    const cfg = readConfig<RunConfig>(dir);
    if (o.skipIfDone && readRunResult(dir, cfg.kind).status === 'valid') {
      console.log(`run ${path.basename(dir)}: result.json is already there and valid (finished by another runner); nothing to do`);
      return 'already-done';
    }
    await trainInFolder(dir, cfg);
    return 'ran';
  } finally {
    lock.release();
  }
}

async function trainInFolder(dir: string, cfg: RunConfig): Promise<void> {
  const info = await initBackend();
  console.log(`${describeBackend(info)}\nrun ${path.basename(dir)}: ${cfg.kind} · ${cfg.method.label} · seed ${cfg.seed} · profile ${cfg.profile}`);
  const metaFile = path.join(dir, 'meta.json');
  const meta: RunMeta = {
    kind: cfg.kind,
    hash: path.basename(dir),
    backend: describeBackend(info),
    packages: packageVersions(),
    commit: gitCommit(),
    startedAt: readJson<RunMeta>(metaFile)?.startedAt ?? new Date().toISOString(),
  };
  writeFileAtomic(metaFile, JSON.stringify(meta, null, 1));
  const t0 = Date.now();
  if (cfg.kind === 'lm') await runLm(cfg, dir);
  else if (cfg.kind === 'qa') await runQa(cfg, dir);
  else if (cfg.kind === 'vit') await runVit(cfg, dir);
  else throw new Error(`unknown run kind ${JSON.stringify((cfg as { kind?: unknown }).kind)}`);
  // The trained parameters as weights.safetensors (small, committed with the result): checkpoints are not committed,
  // so without this a fresh clone could not load the model (notebooks, the explorer, a QA run fine-tuning this LM).
  const w = exportRunWeights(dir);
  console.log(`run ${path.basename(dir)}: ${w.tensors} trained tensors written to ${path.basename(w.file)}`);
  meta.finishedAt = new Date().toISOString();
  meta.wallSeconds = (Date.now() - t0) / 1000;
  writeFileAtomic(metaFile, JSON.stringify(meta, null, 1));
}

// The file-name check: inside an esbuild bundle (scripts/gpu/pack.sh) every module is `require.main`.
if (require.main === module && /worker\.[cjt]s$/.test(process.argv[1] ?? '')) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx src/experiments/worker.ts <run folder holding config.json>');
    process.exit(2);
  }
  dieWithParent((why) => {
    console.error(`worker ${process.pid}: ${why}; stopping (the lock is released, the last checkpoint stays)`);
    process.exit(1);
  });
  runInFolder(path.resolve(dir), { skipIfDone: true }).then(
    () => process.exit(0),
    (e) => {
      if (e instanceof RunFolderLockedError) {
        console.error(e.message);
        process.exit(LOCKED_EXIT_CODE);
      }
      console.error(e instanceof Error ? e.stack ?? e.message : e);
      process.exit(1);
    },
  );
}
