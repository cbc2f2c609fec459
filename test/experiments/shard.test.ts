import { describe, expect, it } from 'vitest';
import { configHash } from '../../src/experiments/cache';
import { EXPERIMENTS, runDependencies } from '../../src/experiments/catalog';
import type { RunConfig } from '../../src/experiments/configs';
import { getProfile } from '../../src/experiments/profiles';
import { planRuns } from '../../src/experiments/run';
import { inShard, parseShard, rootRun, shardOf, shardPlan } from '../../src/experiments/shard';

const allNames = EXPERIMENTS.map((e) => e.name);

describe('--shard i/n parsing', () => {
  it('accepts 1-based i/n', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard(' 12 / 12 ')).toEqual({ index: 12, count: 12 });
  });
  it('rejects malformed or out-of-range values, naming them', () => {
    expect(() => parseShard('0/2')).toThrow(/"0\/2".*between 1 and 2.*got 0/);
    expect(() => parseShard('3/2')).toThrow(/"3\/2".*between 1 and 2.*got 3/);
    expect(() => parseShard('a/b')).toThrow(/"a\/b" is not of the form i\/n/);
    expect(() => parseShard('1/0')).toThrow(/"1\/0".*at least 1, got 0/);
    expect(() => parseShard('2')).toThrow(/"2" is not of the form/);
    expect(() => parseShard('1.5/3')).toThrow(/"1.5\/3" is not of the form/);
    expect(() => parseShard('-1/3')).toThrow(/"-1\/3" is not of the form/);
    expect(() => shardOf(rootRun(planRuns(['lm-extrapolation'], getProfile('quick'))[0].config), 0)).toThrow(/positive integer, got 0/);
  });
});

for (const profileName of ['quick', 'small'] as const) {
  describe(`shards of the ${profileName} profile's full plan`, () => {
    const plan = planRuns(allNames, getProfile(profileName));
    const dirs = plan.map((r) => r.dir);

    it('the plan is non-trivial and has QA runs with their LM bases', () => {
      expect(new Set(dirs).size).toBe(dirs.length);
      expect(plan.some((r) => r.config.kind === 'qa')).toBe(true);
      expect(plan.some((r) => r.config.kind === 'vit')).toBe(true);
    });

    for (const n of [1, 2, 3, 4, 7, 16]) {
      it(`n = ${n}: disjoint, union = the full plan, every dependency in the same shard`, () => {
        const shards = Array.from({ length: n }, (_, k) => shardPlan(plan, { index: k + 1, count: n }));
        const seen = new Map<string, number>();
        shards.forEach((s, k) => s.forEach((r) => {
          expect(seen.has(r.dir)).toBe(false); // disjoint
          seen.set(r.dir, k + 1);
        }));
        expect([...seen.keys()].sort()).toEqual([...dirs].sort()); // union = plan
        expect(shards.reduce((a, s) => a + s.length, 0)).toBe(plan.length);
        // Each shard keeps the plan's order (dependencies first).
        for (const s of shards) {
          const idx = s.map((r) => dirs.indexOf(r.dir));
          expect(idx).toEqual([...idx].sort((a, b) => a - b));
        }
        // A run's dependencies live in its shard, so no shard waits on another.
        for (const r of plan) {
          for (const d of runDependencies(r.config)) {
            const depDir = plan.find((x) => configHash(x.config) === configHash(d))!.dir;
            expect(seen.get(depDir)).toBe(seen.get(r.dir));
          }
        }
      });
    }

    it('stable across calls and across a JSON round trip of the config (what another machine would see)', () => {
      for (const r of plan) {
        const copy = JSON.parse(JSON.stringify(r.config)) as RunConfig;
        for (const n of [2, 5]) {
          expect(shardOf(copy, n)).toBe(shardOf(r.config, n));
          expect(shardOf(r.config, n)).toBe(shardOf(r.config, n));
        }
      }
      const again = planRuns(allNames, getProfile(profileName));
      expect(shardPlan(again, { index: 2, count: 3 }).map((r) => r.dir)).toEqual(shardPlan(plan, { index: 2, count: 3 }).map((r) => r.dir));
    });

    it('the shard is the root hash modulo n, 1-based; QA roots are their base LM', () => {
      for (const r of plan) {
        const root = rootRun(r.config);
        if (r.config.kind === 'qa') expect(root).toBe(r.config.base);
        else expect(root).toBe(r.config);
        expect(shardOf(r.config, 5)).toBe((parseInt(configHash(root), 16) % 5) + 1);
        expect(inShard(r.config, { index: shardOf(r.config, 5), count: 5 })).toBe(true);
      }
    });
  });
}

it('with n = 4 over the small plan no shard is empty (the hash spreads the roots)', () => {
  const plan = planRuns(allNames, getProfile('small'));
  const sizes = [1, 2, 3, 4].map((i) => shardPlan(plan, { index: i, count: 4 }).length);
  for (const s of sizes) expect(s).toBeGreaterThan(0);
});
