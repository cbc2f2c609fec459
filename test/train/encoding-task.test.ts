/** Training an encoding on its own objectives through the library's loop (notebooks 03 and 04). */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { NoPE } from '../../src/encodings/none';
import { SeqPE, type SeqPEObjectivesConfig } from '../../src/encodings/seqpe/index';
import { contrastiveLoss } from '../../src/losses/contrastive';
import { EncodingOnly, encodingTask } from '../../src/train/encoding-task';
import { Trainer, train } from '../../src/train/loop';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

const dims = { dModel: 16, heads: 2, layers: 1 };
const make = (objectives?: SeqPEObjectivesConfig) =>
  new SeqPE(dims, { mode: 'input_add', seed: 3, encoder: { width: 16, heads: 2, layers: 1, maxPosition: 20000, residDropout: 0 }, objectives });
const ctOnly: SeqPEObjectivesConfig = { contrastive: { weight: 1, batchSize: 8, contrastiveSize: 8, positionRange: 500 } };
const layout = { kind: '1d' as const, start: 0, length: 4 };

describe('encodingTask + EncodingOnly', () => {
  it('step 1 reports exactly L_δ of the plan (independent encoder pass); the loss is the weighted objective alone', () => {
    const enc = make(ctOnly);
    const model = new EncodingOnly(enc);
    expect(model.params.list().every((p) => p.group === 'pe' && p.name.startsWith('pe.'))).toBe(true);
    const t = new Trainer(model, encodingTask(layout), { steps: 3, seed: 4, lr: 0, progress: { mode: 'silent' } });
    // the same plan, drawn from an identically seeded stream (the loop forks data and dropout, then seeds the objectives)
    const master = new Rng(4);
    master.fork(1);
    master.fork(2);
    const plan = enc.objectives({ layout, rng: master })!.plan(1);
    const ref = tf.tidy(() => {
      const e = enc.encoder.encode(plan.extraPositions, { training: false }); // no dropout: training == eval
      const P = plan.contrastive!.pivots;
      const N = plan.contrastive!.candidates;
      return contrastiveLoss(e.slice([0, 0], [P, 16]) as tf.Tensor2D, e.slice([P, 0], [P * N, 16]).reshape([P, N, 16]) as tf.Tensor3D, plan.contrastive!.labels).dataSync()[0];
    });
    const r = t.stepOnce();
    expect(r.lossTask).toBe(0);
    expect(r.objectives.contrastive).toBeCloseTo(ref, 5);
    expect(r.loss).toBeCloseTo(ref, 5);
    expect(r.gradNorm.main).toBe(0);
    expect(r.gradNorm.pe).toBeGreaterThan(0);
    // positionRange bounds the pivots and candidates
    for (const p of plan.extraPositions as number[][]) expect(p[0]).toBeLessThan(500);
    t.dispose();
    model.dispose();
    enc.dispose();
  });

  it('trains L_δ below chance (ln 8) within 150 steps and leaks nothing', async () => {
    const enc = make(ctOnly);
    const model = new EncodingOnly(enc);
    const before = tf.memory().numTensors;
    const r = await train(model, encodingTask(layout), {
      steps: 150, seed: 1, lr: 3e-3, peLr: 3e-3, schedule: { kind: 'cosine', warmupSteps: 10 }, progress: { mode: 'silent' },
    });
    const tail = r.reports.slice(-20).map((x) => x.objectives.contrastive);
    expect(tail.reduce((a, b) => a + b, 0) / tail.length).toBeLessThan(Math.log(8) - 0.3);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    enc.dispose();
  }, 60_000);

  it('refuses an encoding without objectives, a bad layout, and a start of the wrong dimensionality', () => {
    expect(() => new EncodingOnly(new NoPE(dims))).toThrow(/encoding 'none' has no objectives configured/);
    const bare = make();
    expect(() => new EncodingOnly(bare)).toThrow(/encoding 'seqpe' has no objectives configured/);
    bare.dispose();
    expect(() => encodingTask({ kind: '1d', start: 0, length: 0 })).toThrow(/length must be a positive integer, got 0/);
    expect(() => encodingTask(layout).layout([1, 2])).toThrow(/1d layout cannot start at \[1,2\]/);
    const wide = make({ contrastive: { weight: 1, positionRange: 30000 } });
    expect(() => wide.objectives({ layout, rng: new Rng(1) })).toThrow(/positionRange must be an integer in \[1, 20000\]/);
    wide.dispose();
  });
});
