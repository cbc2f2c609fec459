/**
 * Checkpoints: the file format round-trips every float bit-exactly and fails loudly on damage; writes are atomic; and a
 * run killed mid-way and resumed in fresh objects from its last checkpoint ends exactly where an uninterrupted run
 * with the same seed ends (weights, AdamW moments, data/dropout Rngs, SeqPE samplers and the encoder's dropout stream
 * are all restored).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/backend';
import { SeqPE } from '../../src/encodings/seqpe/index';
import { NoPE } from '../../src/encodings/none';
import { CausalLM } from '../../src/models/causal-lm';
import { differingFields, loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint';
import { Trainer, train, type TrainConfig } from '../../src/train/loop';
import { lmTask } from '../../src/train/tasks';
import { Rng } from '../../src/util/rng';
import { spawnSync } from 'child_process';
import { diskFullAfter, failingCall, faultyFs, shortWrites } from '../util/faulty-fs';
import { mountTinyTmpfs } from '../util/tiny-tmpfs';

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
    const data = { meta, tensors: new Map([['x', { shape: [2, 4], data: special }], ['big', { shape: [7, 11, 13], data: big }]]) };
    // Non-finite values are refused by default (see 'verified checkpoints'); a generic store opts in.
    expect(() => saveCheckpoint(file, data)).toThrow(/tensor "x" holds NaN at index 0/);
    saveCheckpoint(file, data, undefined, { allowNonFinite: true });
    const back = loadCheckpoint(file, { allowNonFinite: true });
    expect(back.version).toBe(2);
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
    expect(() => loadCheckpoint(path.join(dir, 'trunc.ckpt'))).toThrow(/trunc\.ckpt fails its SHA-256 checksum \(corrupted or truncated\)/);
    fs.writeFileSync(path.join(dir, 'foreign.ckpt'), 'hello world, not a checkpoint');
    expect(() => loadCheckpoint(path.join(dir, 'foreign.ckpt'))).toThrow(/not a SeqPE checkpoint/);
    expect(() => loadCheckpoint(path.join(dir, 'nope.ckpt'))).toThrow(/does not exist/);
    expect(() => saveCheckpoint(file, { meta: {}, tensors: new Map([['w', { shape: [2], data: new Float32Array(3) }]]) })).toThrow(/3 values but shape \[2\]/);
    expect(loadCheckpoint(file).meta.step).toBe(1); // the failed save left the old file intact
  });
});

/**
 * Writes a checkpoint file byte by byte from the format description (independently of saveCheckpoint), so tests can
 * build files whose header lies (overlaps, gaps, NaN values) and still carry a correct checksum, or old version-1 files.
 */
function rawCheckpoint(file: string, header: unknown, values: number[], version: 1 | 2 = 2): void {
  const magic = Buffer.from(`SEQPECKPT${version}\n`, 'ascii');
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  const pad = Buffer.alloc((4 - ((magic.length + 4 + h.length) % 4)) % 4);
  const body = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => body.writeFloatLE(v, 4 * i));
  const bytes = Buffer.concat([magic, len, h, pad, body]);
  fs.writeFileSync(file, version === 2 ? Buffer.concat([bytes, createHash('sha256').update(bytes).digest()]) : bytes);
}

describe('verified checkpoints', () => {
  const entry = (name: string, shape: number[], offset: number) => ({ name, shape, offset, length: shape.reduce((a, b) => a * b, 1) });

  it('a single flipped bit anywhere in the file (magic aside) fails the checksum, naming the file; 200 random flips', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'ok.ckpt');
    const r = new Rng(11);
    saveCheckpoint(file, { meta: { step: 3, lr: 1e-3 }, tensors: new Map([['w', { shape: [50, 4], data: Float32Array.from({ length: 200 }, () => r.normal()) }]]) });
    const good = fs.readFileSync(file);
    const bad = path.join(dir, 'flipped.ckpt');
    for (let k = 0; k < 200; k++) {
      const at = r.int(11, good.length); // bytes 0..10 are the magic: a flip there is 'not a SeqPE checkpoint'
      const copy = Buffer.from(good);
      copy[at] ^= 1 << r.int(0, 8);
      fs.writeFileSync(bad, copy);
      expect(() => loadCheckpoint(bad), `flip at byte ${at}`).toThrow(/flipped\.ckpt (fails its SHA-256 checksum|is truncated)/);
    }
    expect(loadCheckpoint(file).meta).toEqual({ step: 3, lr: 1e-3 });
  });

  it('rejects overlapping, out-of-range, gapped, mis-shaped and duplicate tensor entries even with a correct checksum', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'h.ckpt');
    const cases: Array<[unknown[], number, RegExp]> = [
      [[entry('a', [3], 0), entry('b', [3], 2)], 6, /tensor "b" at \[2, 5\) overlaps the tensor before it \(which ends at 3\)/],
      [[entry('a', [3], 0), entry('b', [4], 3)], 6, /tensor entry 1 \("b"\) spans values \[3, 7\) beyond the 6 stored/],
      [[entry('a', [2], 0), entry('b', [3], 3)], 6, /values \[2, 3\) before tensor "b" belong to no tensor/],
      [[entry('a', [2], 0)], 6, /4 trailing values belong to no tensor/],
      [[{ name: 'a', shape: [2, 2], offset: 0, length: 6 }], 6, /tensor entry 0 \("a"\) has length 6 but shape \[2,2\] holds 4 values/],
      [[{ name: 'a', shape: [6], offset: -1, length: 6 }], 6, /offset -1 and length 6; expected whole numbers/],
      [[entry('a', [3], 0), entry('a', [3], 3)], 6, /tensor entry 1 \("a"\) repeats a tensor name/],
      [[{ shape: [6], offset: 0, length: 6 }], 6, /tensor entry 0 has no name/],
    ];
    for (const [tensors, n, msg] of cases) {
      rawCheckpoint(f, { meta: { step: 1 }, tensors }, Array.from({ length: n }, (_, i) => i));
      expect(() => loadCheckpoint(f), JSON.stringify(tensors)).toThrow(msg);
    }
    // the same writer with a truthful header loads, so the failures above are the header's
    rawCheckpoint(f, { meta: { step: 1 }, tensors: [entry('b', [3], 3), entry('a', [3], 0)] }, [0, 1, 2, 3, 4, 5]);
    const ok = loadCheckpoint(f);
    expect(Array.from(ok.tensors.get('a')!.data)).toEqual([0, 1, 2]);
    expect(Array.from(ok.tensors.get('b')!.data)).toEqual([3, 4, 5]);
  });

  it('rejects NaN and ±∞ weights on load (naming tensor, index, value) and refuses to save them', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'nan.ckpt');
    for (const [v, label] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
      rawCheckpoint(f, { meta: { step: 1 }, tensors: [entry('ok', [2], 0), entry('param/w', [2, 2], 2)] }, [1, 2, 3, 4, v, 5]);
      expect(() => loadCheckpoint(f)).toThrow(new RegExp(`nan\\.ckpt: tensor "param/w" holds ${label} at index 2; a usable checkpoint holds finite values only`));
      expect(loadCheckpoint(f, { allowNonFinite: true }).tensors.get('param/w')!.data[2]).toBe(v);
      const out = path.join(dir, 'save.ckpt');
      expect(() => saveCheckpoint(out, { meta: {}, tensors: new Map([['m', { shape: [3], data: new Float32Array([0, 1, v]) }]]) })).toThrow(
        new RegExp(`tensor "m" holds ${label} at index 2`),
      );
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('still reads version-1 files (no checksum; offsets and finiteness checked) and says so', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'v1.ckpt');
    rawCheckpoint(f, { meta: { step: 4 }, tensors: [entry('w', [2, 2], 0)] }, [1.5, -2, 0, 8], 1);
    const back = loadCheckpoint(f);
    expect(back.version).toBe(1);
    expect(back.meta).toEqual({ step: 4 });
    expect(Array.from(back.tensors.get('w')!.data)).toEqual([1.5, -2, 0, 8]);
    rawCheckpoint(f, { meta: { step: 4 }, tensors: [entry('w', [2, 2], 0)] }, [1.5, -2, 0, 8, 9], 1);
    expect(() => loadCheckpoint(f)).toThrow(/has 20 value bytes, expected 16 \(truncated or corrupt\)/);
    rawCheckpoint(f, { meta: { step: 4 }, tensors: [entry('w', [2], 0), entry('v', [2], 1)] }, [1, 2, 3, 4], 1);
    expect(() => loadCheckpoint(f)).toThrow(/tensor "v" at \[1, 3\) overlaps/);
    rawCheckpoint(f, { meta: { step: 4 }, tensors: [entry('w', [2], 0)] }, [1, NaN], 1);
    expect(() => loadCheckpoint(f)).toThrow(/tensor "w" holds NaN at index 1/);
  });

  it('differingFields lists every differing leaf by its dotted path; JSON-equal values (undefined keys, ∞ as null) are equal', () => {
    expect(differingFields({ a: 1, b: { c: [1, 2], d: 'x', u: undefined } }, { a: 1, b: { c: [1, 2], d: 'x' } })).toEqual([]);
    expect(differingFields({ clip: { main: Infinity } }, { clip: { main: Infinity } })).toEqual([]);
    expect(differingFields({ a: 1, b: { c: [1, 2], d: 'x' } }, { a: 2, b: { c: [1, 3], e: 0 } })).toEqual([
      { field: 'a', saved: 1, current: 2 },
      { field: 'b.c', saved: [1, 2], current: [1, 3] },
      { field: 'b.d', saved: 'x', current: undefined },
      { field: 'b.e', saved: undefined, current: 0 },
    ]);
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
    const t1 = new Trainer(b.model, lmTask({ tokens, batch: 2, time: T }), config({ seed: 22, steps: 4 }));
    expect(() => t1.load(file)).toThrow(/another training config; refusing to resume\. Differing fields: seed \(checkpoint 21, this run 22\)\./);
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

describe('resume keeps the final loss and refuses another config', () => {
  it('resuming a finished run trains nothing and returns the stored final loss (not NaN, which became null in result.json)', async () => {
    const file = path.join(tmpDir(), 'done.ckpt');
    const a = build();
    const full = await train(a.model, lmTask({ tokens, batch: 2, time: T }), config({ steps: 6, checkpoint: { path: file, every: 3 } }));
    expect(loadCheckpoint(file).meta.finalLoss).toBe(full.finalLoss);
    const b = build();
    const again = await train(b.model, lmTask({ tokens, batch: 2, time: T }), config({ steps: 6, checkpoint: { path: file, every: 3 }, resumeFrom: 'auto' }));
    expect(again.startStep).toBe(6);
    expect(again.reports).toEqual([]);
    expect(Number.isFinite(again.finalLoss)).toBe(true);
    expect(again.finalLoss).toBe(full.finalLoss);
    for (const x of [a, b]) {
      x.model.dispose();
      x.enc.dispose();
    }
  });

  it('refuses another learning rate, step count or schedule, naming each differing field; a moved checkpoint resumes', async () => {
    const file = path.join(tmpDir(), 'cfg.ckpt');
    const a = build();
    await train(a.model, lmTask({ tokens, batch: 2, time: T }), config({ steps: 4, checkpoint: { path: file, every: 2 } }));
    const b = build();
    const task = lmTask({ tokens, batch: 2, time: T });
    const tryLoad = (c: Partial<TrainConfig>) => {
      const t = new Trainer(b.model, task, config({ steps: 4, ...c }));
      try {
        t.load(file);
      } finally {
        t.dispose();
      }
    };
    expect(() => tryLoad({ lr: 2e-3 })).toThrow(/cfg\.ckpt was written with another training config; refusing to resume\. Differing fields: lr \(checkpoint 0\.003, this run 0\.002\)\./);
    expect(() => tryLoad({ steps: 3 })).toThrow(/Differing fields: steps \(checkpoint 4, this run 3\)\./);
    expect(() => tryLoad({ schedule: { kind: 'cosine', warmupSteps: 2 } })).toThrow(
      /Differing fields: schedule\.kind \(checkpoint "linear", this run "cosine"\); schedule\.warmupSteps \(checkpoint 3, this run 2\)\./,
    );
    expect(() => tryLoad({ weightDecay: 0, peLr: 1e-3 })).toThrow(/peLr \(checkpoint absent, this run 0\.001\); weightDecay \(checkpoint 0\.01, this run 0\)/);
    // where checkpoints go and how often does not change the run: a copied checkpoint resumes
    const moved = path.join(tmpDir(), 'moved.ckpt');
    fs.copyFileSync(file, moved);
    const t = new Trainer(b.model, task, config({ steps: 4, checkpoint: { path: moved, every: 1 } }));
    t.load(moved);
    expect(t.step).toBe(4);
    t.dispose();
    for (const x of [a, b]) {
      x.model.dispose();
      x.enc.dispose();
    }
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
      const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
      const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'train.ts');
      const r = spawnSync(tsx, [cli, '--task', 'lm', '--encoding', 'none', '--profile', 'quick', '--steps', '2', '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`writing ${path.join(out, 'checkpoint.bin')} failed: ENOSPC`);
      expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'log.jsonl', 'meta.json']); // no torn checkpoint, no temp file
    } finally {
      tiny.unmount();
    }
  });
});
