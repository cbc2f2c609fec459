/**
 * Checkpoints: the file format round-trips every float bit-exactly and fails loudly on damage; writes are atomic; and a
 * run killed mid-way and resumed in fresh objects from its last checkpoint ends exactly where an uninterrupted run
 * with the same seed ends (weights, AdamW moments, data/dropout Rngs, SeqPE samplers and the encoder's dropout stream
 * are all restored).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../src/backend';
import { SeqPE } from '../src/encodings/seqpe/index';
import { NoPE } from '../src/encodings/none';
import { CausalLM } from '../src/models/causal-lm';
import { loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint';
import { Trainer, train, type TrainConfig } from '../src/train/loop';
import { lmTask } from '../src/train/tasks';
import { Rng } from '../src/util/rng';
import { spawnSync } from 'child_process';
import { diskFullAfter, failingCall, faultyFs, shortWrites } from './util/faulty-fs';
import { mountTinyTmpfs } from './util/tiny-tmpfs';

beforeAll(async () => {
  await initBackend();
});

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-ckpt-'));

describe('checkpoint file', () => {
  it('round-trips meta and float32 values bit-exactly (NaN, ±0, ±∞, subnormals) and leaves no temp file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'sub', 'a.ckpt');
    const special = new Float32Array([NaN, -0, 0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, Math.PI]);
    const r = new Rng(3);
    const big = Float32Array.from({ length: 1001 }, () => r.normal());
    const meta = { step: 7, rng: [1, 2, 3, 4], nested: { s: 'é ✓', list: [1.5, null] } };
    saveCheckpoint(file, { meta, tensors: new Map([['x', { shape: [2, 4], data: special }], ['big', { shape: [7, 11, 13], data: big }]]) });
    const back = loadCheckpoint(file);
    expect(back.meta).toEqual(meta);
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    expect(bits(back.tensors.get('x')!.data)).toEqual(bits(special));
    expect(bits(back.tensors.get('big')!.data)).toEqual(bits(big));
    expect(back.tensors.get('big')!.shape).toEqual([7, 11, 13]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['a.ckpt']);
    // overwriting replaces the file as a whole
    saveCheckpoint(file, { meta: { step: 8 }, tensors: new Map() });
    expect(loadCheckpoint(file).meta).toEqual({ step: 8 });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['a.ckpt']);
  });

  it('rejects truncated, foreign and missing files with clear errors', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'b.ckpt');
    saveCheckpoint(file, { meta: { step: 1 }, tensors: new Map([['w', { shape: [3], data: new Float32Array([1, 2, 3]) }]]) });
    const buf = fs.readFileSync(file);
    fs.writeFileSync(path.join(dir, 'trunc.ckpt'), buf.subarray(0, buf.length - 4));
    expect(() => loadCheckpoint(path.join(dir, 'trunc.ckpt'))).toThrow(/truncated or corrupt/);
    fs.writeFileSync(path.join(dir, 'foreign.ckpt'), 'hello world, not a checkpoint');
    expect(() => loadCheckpoint(path.join(dir, 'foreign.ckpt'))).toThrow(/not a SeqPE checkpoint/);
    expect(() => loadCheckpoint(path.join(dir, 'nope.ckpt'))).toThrow(/does not exist/);
    expect(() => saveCheckpoint(file, { meta: {}, tensors: new Map([['w', { shape: [2], data: new Float32Array(3) }]]) })).toThrow(/3 values but shape \[2\]/);
    expect(loadCheckpoint(file).meta.step).toBe(1); // the failed save left the old file intact
  });
});

describe('checkpoint writes under faults', () => {
  const ckpt = (step: number, n: number) => ({
    meta: { step },
    tensors: new Map([['w', { shape: [n], data: Float32Array.from({ length: n }, (_, i) => i * 0.5 + step) }]]),
  });

  it('a short write is completed (the old code renamed a torn file), ENOSPC or a failing fsync/rename keeps the old file byte-identical', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'a.ckpt');
    saveCheckpoint(file, ckpt(1, 3000));
    const old = fs.readFileSync(file);
    for (const io of [faultyFs(diskFullAfter(5000)), failingCall('fsyncSync', 'EIO', 1).io, failingCall('renameSync', 'EXDEV', 1).io]) {
      expect(() => saveCheckpoint(file, ckpt(2, 3000), io)).toThrow(/writing .*a\.ckpt failed: (ENOSPC|EIO|EXDEV).*previous a\.ckpt .*untouched/);
      expect(fs.readFileSync(file).equals(old)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['a.ckpt']);
    }
    expect(loadCheckpoint(file).meta.step).toBe(1);
    saveCheckpoint(file, ckpt(3, 3000), faultyFs(shortWrites(1000)));
    const back = loadCheckpoint(file);
    expect(back.meta.step).toBe(3);
    expect(Array.from(back.tensors.get('w')!.data)).toEqual(Array.from(ckpt(3, 3000).tensors.get('w')!.data));
  });
});

// A SeqPE LM with every source of randomness on: main-model dropout, encoder dropout, data order, both samplers, shift.
const D = 16, H = 2, L = 1, T = 12, MAXPOS = 400;
const tokens = (() => {
  const r = new Rng(5);
  return Int32Array.from({ length: 3000 }, () => r.int(0, 32));
})();

function build(): { model: CausalLM; enc: SeqPE } {
  const enc = new SeqPE({ dModel: D, heads: H, layers: L }, {
    mode: 'attn_bias', seed: 4, encoder: { width: 16, heads: 2, layers: 1, maxPosition: MAXPOS, residDropout: 0.1 },
    objectives: {
      contrastive: { weight: 0.1, batchSize: 3, contrastiveSize: 5, distRange: 20 },
      distillation: { weight: 0.1, batchSize: 2, setSize: 4 },
      shift: { rate: 0.3, poolSize: 20 },
    },
  });
  return { model: new CausalLM({ vocab: 32, dModel: D, layers: L, heads: H, seed: 4, dropout: 0.1 }, enc), enc };
}

const config = (extra: Partial<TrainConfig>): TrainConfig => ({
  steps: 12,
  seed: 21,
  lr: 3e-3,
  weightDecay: 0.01,
  schedule: { kind: 'linear', warmupSteps: 3 },
  progress: { mode: 'silent' },
  ...extra,
});

describe('resume after a kill', () => {
  it('a run killed after its step-5 checkpoint and resumed in fresh objects ends exactly like an uninterrupted run', async () => {
    // uninterrupted
    const a = build();
    const full = await train(a.model, lmTask({ tokens, batch: 3, time: T }), config({}));
    const fullWeights = a.model.params.getWeights();

    // killed at step 8 (after the step-5 checkpoint; steps 6–8 are lost)
    const file = path.join(tmpDir(), 'run.ckpt');
    const b = build();
    const killed = train(b.model, lmTask({ tokens, batch: 3, time: T }), config({
      checkpoint: { path: file, every: 5 },
      progress: { mode: 'silent', onStep: (r) => { if (r.step === 8) throw new Error('killed'); } },
    }));
    await expect(killed).rejects.toThrow('killed');
    expect(loadCheckpoint(file).meta.step).toBe(5);

    // a "new process": new model, encoding and task objects; resume from the file
    const c = build();
    const resumed = await train(c.model, lmTask({ tokens, batch: 3, time: T }), config({ checkpoint: { path: file, every: 5 }, resumeFrom: 'auto' }));
    expect(resumed.startStep).toBe(5);
    expect(resumed.reports.map((r) => r.step)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(resumed.reports.map((r) => r.loss)).toEqual(full.reports.slice(5).map((r) => r.loss));
    expect(resumed.reports.map((r) => r.shifted)).toEqual(full.reports.slice(5).map((r) => r.shifted));
    expect(resumed.finalLoss).toBe(full.finalLoss);
    const w = c.model.params.getWeights();
    for (const [k, v] of fullWeights) expect(Array.from(w.get(k)!.data), k).toEqual(Array.from(v.data));
    expect(loadCheckpoint(file).meta.step).toBe(12);
    // and the run is not trivially constant: the shift and the objectives were active
    expect(full.reports.some((r) => r.shifted)).toBe(true);
    expect(full.reports.every((r) => r.objectives.contrastive !== undefined)).toBe(true);
    for (const x of [a, b, c]) {
      x.model.dispose();
      x.enc.dispose();
    }
  });

  it('refuses a checkpoint from another architecture or another seed', async () => {
    const file = path.join(tmpDir(), 'c.ckpt');
    const a = build();
    await train(a.model, lmTask({ tokens, batch: 2, time: T }), config({ steps: 4, checkpoint: { path: file, every: 2 } }));
    const b = build();
    const t1 = new Trainer(b.model, lmTask({ tokens, batch: 2, time: T }), config({ seed: 22 }));
    expect(() => t1.load(file)).toThrow(/saved with seed 21, this run uses seed 22/);
    const enc = new NoPE({ dModel: D, heads: H, layers: L });
    const other = new CausalLM({ vocab: 32, dModel: D, layers: L, heads: H, seed: 4 }, enc);
    const t2 = new Trainer(other, lmTask({ tokens, batch: 2, time: T }), config({}));
    expect(() => t2.load(file)).toThrow(/saved for model .*"encoding":"seqpe".* but this model is .*"encoding":"none"/);
    t1.dispose();
    t2.dispose();
    for (const x of [a, b]) {
      x.model.dispose();
      x.enc.dispose();
    }
    other.dispose();
  });
});

describe('a full disk during training', () => {
  it('fails the run with the path and ENOSPC; the last good checkpoint survives and resumes bit-identically (tiny tmpfs)', async (ctx) => {
    // Size the file system so one checkpoint fits but not a second beside it (the atomic write needs both at once).
    const probe = path.join(tmpDir(), 'probe.ckpt');
    const p = build();
    const tr = new Trainer(p.model, lmTask({ tokens, batch: 3, time: T }), config({}));
    tr.save(probe);
    const size = fs.statSync(probe).size;
    tr.dispose();
    p.model.dispose();
    p.enc.dispose();
    const tiny = mountTinyTmpfs(Math.ceil(size * 1.5));
    if (!tiny.ok) {
      console.log(`skipping the tmpfs training test: ${tiny.reason}`);
      return ctx.skip();
    }
    try {
      const file = path.join(tiny.dir, 'run.ckpt');
      const b = build();
      const run = train(b.model, lmTask({ tokens, batch: 3, time: T }), config({ checkpoint: { path: file, every: 5 } }));
      await expect(run).rejects.toThrow(new RegExp(`writing ${file.replace(/[.]/g, '\\.')} failed: ENOSPC`));
      expect(fs.readdirSync(tiny.dir)).toEqual(['run.ckpt']);
      expect(loadCheckpoint(file).meta.step).toBe(5);
      // the step-5 checkpoint, moved to a healthy disk, resumes to exactly the uninterrupted run
      const safe = path.join(tmpDir(), 'run.ckpt');
      fs.copyFileSync(file, safe);
      const a = build();
      const full = await train(a.model, lmTask({ tokens, batch: 3, time: T }), config({}));
      const c = build();
      const resumed = await train(c.model, lmTask({ tokens, batch: 3, time: T }), config({ checkpoint: { path: safe, every: 5 }, resumeFrom: 'auto' }));
      expect(resumed.startStep).toBe(5);
      expect(resumed.reports.map((r) => r.loss)).toEqual(full.reports.slice(5).map((r) => r.loss));
      const w = c.model.params.getWeights();
      for (const [k, v] of a.model.params.getWeights()) expect(Array.from(w.get(k)!.data), k).toEqual(Array.from(v.data));
      for (const x of [a, b, c]) {
        x.model.dispose();
        x.enc.dispose();
      }
    } finally {
      tiny.unmount();
    }
  });

  it('`npm run train` on a full disk exits non-zero, naming the checkpoint path and ENOSPC (tiny tmpfs)', (ctx) => {
    const tiny = mountTinyTmpfs(48 * 1024); // config.json, meta.json and log.jsonl fit; the quick LM's checkpoint does not
    if (!tiny.ok) {
      console.log(`skipping the tmpfs CLI test: ${tiny.reason}`);
      return ctx.skip();
    }
    try {
      const out = path.join(tiny.dir, 'run');
      const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
      const cli = path.join(__dirname, '..', 'src', 'cli', 'train.ts');
      const r = spawnSync(tsx, [cli, '--task', 'lm', '--encoding', 'none', '--profile', 'quick', '--steps', '2', '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`writing ${path.join(out, 'checkpoint.bin')} failed: ENOSPC`);
      expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'log.jsonl', 'meta.json']); // no torn checkpoint, no temp file
    } finally {
      tiny.unmount();
    }
  });
});
