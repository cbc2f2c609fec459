/**
 * Sharding the run grid over n machines (`npm run reproduce -- --shard i/n`): shard i of n (1-based, as a scheduler's
 * array index: Slurm `--array=1-n`) takes the runs whose ROOT run's config hash falls in it, so n independent processes
 * fill one shared results folder without talking to each other and without two of them training the same run.
 *
 * Why the root: a QA run fine-tunes the checkpoint of its base LM run (catalog.ts runDependencies). Sharding each run by
 * its own hash would put a QA run on a machine that must wait for another machine's LM run, with no way to wait for it.
 * Sharding by the root of the dependency chain (the run itself when it has no dependency; for QA, its base LM) keeps a
 * QA run and its LM in the same shard, so every shard is self-contained: its dependencies are either in it or already
 * cached. The price is balance: a shard holding an LM also holds its QA run, so shard sizes differ by up to one
 * LM+QA pair's worth of work beyond the hash's own unevenness.
 *
 * The assignment depends only on the config (the same hash the run cache uses, cache.ts configHash), so it is the same
 * on every machine, in every call and in every process, and a run keeps its shard when other runs are added to the grid.
 */
import { configHash } from './cache';
import { runDependencies } from './catalog';
import type { RunConfig } from './configs';

export interface Shard {
  /** 1-based index of this shard. */
  index: number;
  /** Number of shards. */
  count: number;
}

/** Parses "i/n" (integers, 1 ≤ i ≤ n); any other text is an error naming it. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`--shard ${JSON.stringify(text)} is not of the form i/n with whole numbers (e.g. 1/4)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--shard ${JSON.stringify(text)}: the shard count n must be at least 1, got ${m[2]}`);
  if (!Number.isSafeInteger(index) || index < 1 || index > count) {
    throw new Error(`--shard ${JSON.stringify(text)}: the shard index i must be between 1 and ${count} (1-based), got ${m[1]}`);
  }
  return { index, count };
}

/** The run at the root of cfg's dependency chain: cfg itself when it depends on nothing. */
export function rootRun(cfg: RunConfig): RunConfig {
  let r = cfg;
  for (let depth = 0; ; depth++) {
    const deps = runDependencies(r);
    if (deps.length === 0) return r;
    if (deps.length > 1) {
      // Two roots could hash to two shards; no rule here could keep the run with both.
      throw new Error(`shard: a ${r.kind} run depends on ${deps.length} runs; sharding supports a single dependency chain`);
    }
    if (depth > 100) throw new Error('shard: dependency chain longer than 100 runs (a cycle?)');
    r = deps[0];
  }
}

/** The 1-based shard (of `count`) that owns cfg: its root run's config hash, modulo count. */
export function shardOf(cfg: RunConfig, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`shard count must be a positive integer, got ${count}`);
  // 12 hex digits = 48 bits: exact in a double, and uniform enough modulo any small n.
  return (parseInt(configHash(rootRun(cfg)), 16) % count) + 1;
}

export function inShard(cfg: RunConfig, shard: Shard): boolean {
  return shardOf(cfg, shard.count) === shard.index;
}

/** The entries of a plan that belong to `shard`, in plan order. */
export function shardPlan<T extends { config: RunConfig }>(plan: readonly T[], shard: Shard): T[] {
  return plan.filter((r) => inShard(r.config, shard));
}
