import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configHash, stableStringify } from '../../src/experiments/cache';
import { getProfile, PROFILES } from '../../src/experiments/profiles';
import { lmMethods, lmRunConfig, qaRunConfig, vitMethods, vitRunConfig } from '../../src/experiments/configs';
import { ablationRuns, EXPERIMENTS, getExperiment, runDependencies } from '../../src/experiments/catalog';
import { runPool } from '../../src/experiments/pool';
import { parseArgs } from '../../src/cli/args';

describe('run cache keys', () => {
  it('hash the config, not its key order, and change with any value', () => {
    expect(stableStringify({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    const cfg = lmRunConfig(getProfile('small'), lmMethods(getProfile('small'))[0], 1);
    const h = configHash(cfg);
    expect(configHash(JSON.parse(JSON.stringify(cfg)))).toBe(h);
    expect(configHash({ ...cfg, seed: 2 })).not.toBe(h);
    expect(configHash({ ...cfg, train: { ...cfg.train, lr: cfg.train.lr * 1.0001 } })).not.toBe(h);
    expect(() => stableStringify({ x: NaN })).toThrow(/not finite/);
  });
});

describe('profiles keep the paper protocol ratios', () => {
  for (const name of ['small', 'paper'] as const) {
    it(`${name}: LM at 1×…32× T, QA fine-tuned at 2T evaluated to 16×, ViT at 1×…3× per side`, () => {
      const p = PROFILES[name];
      expect(p.lm.evalLengths[0]).toBe(p.lm.seqLen);
      expect(p.lm.evalLengths[p.lm.evalLengths.length - 1]).toBe(32 * p.lm.seqLen);
      expect(p.lm.seqpeMaxPosition).toBeGreaterThan(32 * p.lm.seqLen);
      expect(p.qa.length).toBe(2 * p.lm.seqLen);
      expect(p.qa.evalLengths[p.qa.evalLengths.length - 1]).toBe(16 * p.qa.length);
      expect(p.vit.evalSizes[0]).toBe(p.vit.nativeSize);
      expect(p.vit.evalSizes[p.vit.evalSizes.length - 1]).toBe(3 * p.vit.nativeSize);
      for (const s of p.vit.evalSizes) expect(s % p.vit.patch).toBe(0);
      expect(p.seeds.length).toBeGreaterThanOrEqual(name === 'small' ? 2 : 1);
    });
  }
  it('gpu: the LM table at d 128 × 4 layers × 4 heads, T 128, batch 32, 4 000 steps, SeqPE positions to 4 096 = 32 T', () => {
    const p = PROFILES.gpu;
    expect(p.lm).toMatchObject({ dModel: 128, layers: 4, heads: 4, seqLen: 128, batch: 32, steps: 4000, seqpeMaxPosition: 4096 });
    expect(p.lm.evalLengths).toEqual([128, 256, 512, 1024, 2048, 4096]);
    // the last evaluated chunk of 4 096 tokens predicts from positions 0 … 4 094: all inside SeqPE's range
    expect(p.lm.seqpeMaxPosition).toBeGreaterThanOrEqual(p.lm.evalLengths[p.lm.evalLengths.length - 1] - 1);
    expect(p.seeds).toEqual(PROFILES.small.seeds);
    expect(p.qa.length).toBe(2 * p.lm.seqLen);
    expect(p.qa.evalLengths[p.qa.evalLengths.length - 1]).toBe(16 * p.qa.length);
  });
  it('unknown profile names are rejected', () => {
    expect(() => getProfile('huge')).toThrow(/unknown profile "huge".*quick, small, paper/);
  });
});

describe('experiment catalog', () => {
  const p = getProfile('small');
  it('covers the paper’s rows: 6 LM methods, 4 ViT methods, QA from each LM, 9 ablation rows', () => {
    expect(lmMethods(p).map((m) => m.label)).toEqual(['APE', 'Sinusoidal', 'RoPE', 'ALiBi', 'NoPE', 'SeqPE']);
    expect(vitMethods(p).map((m) => m.encoding.name)).toEqual(['ape', 'rope2d', 'rope-mixed', 'seqpe']);
    const qa = getExperiment('qa-extrapolation').runs(p);
    expect(qa).toHaveLength(6 * p.seeds.length);
    for (const r of qa) expect(runDependencies(r).map((d) => configHash(d))).toEqual([configHash((r as ReturnType<typeof qaRunConfig>).base)]);
    expect(ablationRuns(p)).toHaveLength(9 * p.ablationSeeds.length);
  });
  it('shares runs between experiments (the ablation’s full row is the LM table’s SeqPE run)', () => {
    const lm = getExperiment('lm-extrapolation').runs(p).map((c) => configHash({ ...c, method: { ...c.method, label: '' } }));
    const full = ablationRuns(p)[0];
    expect(lm).toContain(configHash({ ...full, method: { ...full.method, label: '' } }));
  });
  it('SeqPE is wired as the spec says: LM attention bias, ViT q/k gates, distillation every step when fine-tuning QA', () => {
    const lmS = lmMethods(p)[5];
    expect(lmS.encoding).toMatchObject({
      name: 'seqpe',
      mode: 'attn_bias',
      objectives: { contrastive: { weight: 0.1 }, distillation: { weight: 0.1 }, shift: { rate: 0.1 } },
    });
    expect(vitMethods(p)[3].encoding).toMatchObject({ name: 'seqpe', mode: 'qk_gate' });
    const qa = qaRunConfig(p, lmRunConfig(p, lmS, 1));
    expect(qa.method.encoding).toMatchObject({ objectives: { distillation: { everyStep: true }, shift: { poolSize: p.qa.shiftPool } } });
    // the LM's own config is untouched by the QA derivation
    expect(lmS.encoding).not.toMatchObject({ objectives: { distillation: { everyStep: true } } });
    expect(vitRunConfig(p, vitMethods(p)[0], 1).method.encoding).toMatchObject({ name: 'ape', trainRows: 7, trainCols: 7, prefix: 1 });
  });
  it('names every experiment and rejects unknown ones', () => {
    expect(EXPERIMENTS.map((e) => e.name)).toEqual(
      ['lm-extrapolation', 'qa-extrapolation', 'vit-resolution', 'ablations', 'similarity-maps', 'training-curves', 'architecture'],
    );
    expect(() => getExperiment('nope')).toThrow(/unknown experiment "nope"/);
  });
});

describe('worker pool', () => {
  it('reports a failing run with its log tail and never starts the runs that depend on it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-pool-'));
    const bad = path.join(root, 'bad');
    const child = path.join(root, 'child');
    for (const d of [bad, child]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(bad, 'config.json'), JSON.stringify({ kind: 'bogus', method: { label: 'x' }, seed: 1, profile: 'quick' }));
    fs.writeFileSync(path.join(child, 'config.json'), '{}');
    const events: string[] = [];
    await expect(
      runPool(
        [
          { id: 'bad', dir: bad, label: 'bad run' },
          { id: 'child', dir: child, label: 'child run', dependsOn: ['bad'] },
        ],
        { concurrency: 2, onEvent: (e) => events.push(`${e.type}:${e.job.id}`) },
      ),
    ).rejects.toThrow(/bad run .* failed with exit code 1[\s\S]*config\.json: kind is \\?"bogus\\?"; expected one of lm, qa, vit/);
    expect(events).toEqual(['start:bad', 'fail:bad']);
    await expect(runPool([{ id: 'a', dir: bad, label: 'a', dependsOn: ['zzz'] }])).rejects.toThrow(/depends on unknown job zzz/);
  }, 60_000);
});

describe('command-line arguments', () => {
  const specs = [
    { name: 'profile', type: 'string' as const, help: '', default: 'small' },
    { name: 'only', type: 'list' as const, help: '' },
    { name: 'workers', type: 'number' as const, help: '' },
    { name: 'fresh', type: 'flag' as const, help: '' },
  ];
  it('parses values, lists and flags', () => {
    const a = parseArgs(['--profile=quick', '--only', 'a,b', '--only', 'c', '--fresh', '--workers', '3', 'pos'], specs);
    expect(a).toMatchObject({ profile: 'quick', only: ['a', 'b', 'c'], fresh: true, workers: 3, _: ['pos'] });
    expect(parseArgs([], specs).profile).toBe('small');
  });
  it('rejects unknown options, missing values, bad numbers and values on flags', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(/unknown option --nope/);
    expect(() => parseArgs(['--profile'], specs)).toThrow(/--profile needs a value/);
    expect(() => parseArgs(['--workers', 'two'], specs)).toThrow(/--workers must be a number, got "two"/);
    expect(() => parseArgs(['--fresh=yes'], specs)).toThrow(/--fresh takes no value/);
  });
});
