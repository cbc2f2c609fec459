/**
 * One run in its own process: `tsx src/experiments/worker.ts <run folder>`. Reads config.json, trains (resuming from the
 * folder's checkpoint if there is one), evaluates, and writes result.json last. meta.json records the backend, package
 * versions and git commit.
 */
import * as path from 'path';
import { describeBackend, initBackend } from '../backend';
import { gitCommit, packageVersions, readJson, writeFileAtomic, type RunMeta } from './cache';
import type { RunConfig } from './configs';
import { runLm } from './runners/lm';
import { runQa } from './runners/qa';
import { runVit } from './runners/vit';
import { readConfig } from './runners/common';

export async function runInFolder(dir: string): Promise<void> {
  const cfg = readConfig<RunConfig>(dir);
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
  meta.finishedAt = new Date().toISOString();
  meta.wallSeconds = (Date.now() - t0) / 1000;
  writeFileAtomic(metaFile, JSON.stringify(meta, null, 1));
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx src/experiments/worker.ts <run folder holding config.json>');
    process.exit(2);
  }
  runInFolder(path.resolve(dir)).then(
    () => process.exit(0),
    (e) => {
      console.error(e instanceof Error ? e.stack ?? e.message : e);
      process.exit(1);
    },
  );
}
