/**
 * Run weights (src/experiments/run-weights.ts): a checkpoint of a trained tiny LM (SeqPE, so the encoder's parameters
 * are covered) exported to weights.safetensors and loaded into a freshly built model gives the trained model's logits
 * exactly; the file is plain safetensors (its header parsed by hand here); damaged or foreign files are refused by name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'child_process';
import { initBackend } from '../../src/backend';
import { getProfile } from '../../src/experiments/profiles';
import { lmRunConfig, lmSeqpe, type LmRunConfig } from '../../src/experiments/configs';
import { buildLm } from '../../src/experiments/runners/lm';
import { trainerConfig } from '../../src/experiments/runners/common';
import { buildRunModel, exportRunWeights, hasRunWeights, loadRunWeights, readRunWeights, runWeightsPath } from '../../src/experiments/run-weights';
import { loadCheckpoint } from '../../src/train/checkpoint';
import { Trainer } from '../../src/train/loop';
import { lmTask } from '../../src/train/tasks';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

const tokens = (() => {
  const rng = new Rng(5);
  return Int32Array.from({ length: 600 }, () => Math.floor(rng.next() * 256));
})();
const probe = Int32Array.from({ length: 2 * 32 }, (_, i) => (i * 37) % 256);

function logits(model: ReturnType<typeof buildLm>): Float32Array {
  return tf.tidy(() => model.forward(tf.tensor2d(probe, [2, 32], 'int32'), { training: false }).dataSync() as Float32Array);
}

async function trainedRun(): Promise<{ dir: string; cfg: LmRunConfig; trained: Float32Array }> {
  const p = getProfile('quick');
  const base = lmRunConfig(p, lmSeqpe(p), 3);
  const cfg: LmRunConfig = { ...base, train: { ...base.train, steps: 4, warmup: 1 } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-weights-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1));
  const model = buildLm(cfg);
  const trainer = new Trainer(model, lmTask({ tokens, batch: 2, time: cfg.train.seqLen }), {
    ...trainerConfig(dir, cfg.seed, cfg.train, cfg.method),
    progress: { mode: 'silent' },
  });
  await trainer.run();
  trainer.dispose();
  const trained = logits(model);
  model.encoding.dispose();
  model.dispose();
  return { dir, cfg, trained };
}

describe('run weights: checkpoint → weights.safetensors → a fresh model', () => {
  it('a fresh model differs from the trained one until the exported weights are loaded, then gives the same logits', async () => {
    const { dir, cfg, trained } = await trainedRun();
    expect(hasRunWeights(dir)).toBe(false);
    const r = exportRunWeights(dir);
    expect(r.step).toBe(4);
    expect(hasRunWeights(dir)).toBe(true);

    const fresh = buildLm(cfg);
    const before = logits(fresh);
    let maxBefore = 0;
    for (let i = 0; i < before.length; i++) maxBefore = Math.max(maxBefore, Math.abs(before[i] - trained[i]));
    expect(maxBefore).toBeGreaterThan(1e-4); // training moved the weights: the comparison below can fail
    const meta = loadRunWeights(dir, fresh);
    expect(Array.from(logits(fresh))).toEqual(Array.from(trained));
    expect(JSON.parse(meta.config)).toEqual(cfg);
    expect(meta.kind).toBe('lm');
    fresh.encoding.dispose();
    fresh.dispose();

    const rebuilt = buildRunModel(dir);
    expect(Array.from(logits(rebuilt as ReturnType<typeof buildLm>))).toEqual(Array.from(trained));
    rebuilt.encoding.dispose();
    rebuilt.dispose();

    // Exactly the checkpoint's param/* tensors, prefix stripped, bit for bit; no optimiser state.
    const ck = loadCheckpoint(path.join(dir, 'checkpoint.bin'));
    const params = [...ck.tensors].filter(([k]) => k.startsWith('param/'));
    const { tensors } = readRunWeights(dir);
    expect([...tensors.keys()].sort()).toEqual(params.map(([k]) => k.slice(6)).sort());
    expect([...tensors.keys()].some((k) => k.startsWith('pe.'))).toBe(true); // the SeqPE encoder's weights are in it
    for (const [k, t] of params) {
      expect(tensors.get(k.slice(6))!.shape).toEqual(t.shape);
      expect(Buffer.from(tensors.get(k.slice(6))!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    }
    expect(ck.tensors.size).toBeGreaterThan(params.length); // the checkpoint also has the Adam moments
  });

  it('writes plain safetensors: 8-byte length, JSON header with F32 entries and the run config as a string', async () => {
    const { dir, cfg } = await trainedRun();
    exportRunWeights(dir);
    const bytes = fs.readFileSync(runWeightsPath(dir));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect((8 + n) % 8).toBe(0);
    expect(header.__metadata__.format).toBe('seqpe-ts run weights v1');
    expect(JSON.parse(header.__metadata__.config).seed).toBe(cfg.seed);
    const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [string, { dtype: string; shape: number[]; data_offsets: number[] }][];
    const total = entries.reduce((s, [, e]) => s + e.shape.reduce((a, b) => a * b, 1) * 4, 0);
    expect(bytes.length - 8 - n).toBe(total);
    expect(entries.every(([, e]) => e.dtype === 'F32')).toBe(true);
  });

  it('refuses a missing file, a foreign config, a damaged file and a model of another shape, naming the problem', async () => {
    const { dir, cfg } = await trainedRun();
    const model = buildLm(cfg);
    expect(() => loadRunWeights(dir, model)).toThrow(/weights\.safetensors is missing.*export-weights/);
    exportRunWeights(dir);
    const good = fs.readFileSync(runWeightsPath(dir));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, seed: 99 }));
    expect(() => loadRunWeights(dir, model)).toThrow(/different run config/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    fs.writeFileSync(runWeightsPath(dir), good.subarray(0, good.length - 4));
    expect(() => loadRunWeights(dir, model)).toThrow(/weights\.safetensors/);
    fs.writeFileSync(runWeightsPath(dir), good);
    const other = buildLm({ ...cfg, model: { ...cfg.model, layers: cfg.model.layers + 1 } });
    expect(() => loadRunWeights(dir, other)).toThrow(/setWeights: names do not match the model; missing: blocks\.1\./);
    expect(() => exportRunWeights(fs.mkdtempSync(path.join(os.tmpdir(), 'no-run-')))).toThrow(/config\.json is missing/);
    for (const m of [model, other]) { m.encoding.dispose(); m.dispose(); }
  });

  it('scripts/export-weights.ts exports every finished run with a checkpoint, skips the rest and up-to-date files', async () => {
    const { dir } = await trainedRun();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'results-'));
    fs.mkdirSync(path.join(root, 'runs'));
    const run = path.join(root, 'runs', 'lm-test');
    fs.renameSync(dir, run);
    fs.writeFileSync(path.join(run, 'result.json'), '{}');
    fs.mkdirSync(path.join(root, 'runs', 'lm-unfinished'));
    const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const script = path.join(__dirname, '..', '..', 'scripts', 'export-weights.ts');
    const env = { ...process.env, SEQPE_RESULTS_DIR: root };
    const first = spawnSync(tsx, [script], { encoding: 'utf8', env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/wrote .*lm-test\/weights\.safetensors: \d+ tensors, step 4/);
    expect(first.stdout).toMatch(/skip .*lm-unfinished: no checkpoint\.bin/);
    expect(hasRunWeights(run)).toBe(true);
    const second = spawnSync(tsx, [script], { encoding: 'utf8', env });
    expect(second.stdout).toMatch(/up to date .*lm-test/);
    const named = spawnSync(tsx, [script, path.join(root, 'runs', 'lm-unfinished')], { encoding: 'utf8', env });
    expect(named.status).toBe(1);
    expect(named.stderr).toMatch(/lm-unfinished: no checkpoint\.bin/);
  });
});
