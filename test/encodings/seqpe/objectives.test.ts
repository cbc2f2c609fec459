/**
 * SeqPE's own objectives: the one-pass split of vectors.extra (checked against separate encoder passes), the samplers
 * built from the encoder's own maxPosition / dims / heads, the seeds drawn from the run's stream, and clear errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend';
import { NoPE } from '../../../src/encodings/none';
import { SeqPE, SeqPEObjectives, type SeqPEObjectivesConfig } from '../../../src/encodings/seqpe/index';
import { contrastiveLoss } from '../../../src/losses/contrastive';
import { distillationLoss } from '../../../src/losses/distillation';
import { CausalLM } from '../../../src/models/causal-lm';
import { Rng } from '../../../src/util/rng';

beforeAll(async () => {
  await initBackend();
});

const ST = 12;
const MAXPOS = 400;
const dims = { dModel: 16, heads: 2, layers: 1 };
const config = (rate: number): SeqPEObjectivesConfig => ({
  contrastive: { weight: 0.1, batchSize: 3, contrastiveSize: 5, distRange: 20 },
  distillation: { weight: 0.1, batchSize: 2, setSize: 4 },
  shift: { rate, poolSize: 20 },
});
const make = (objectives?: SeqPEObjectivesConfig, heads = 2) =>
  new SeqPE(dims, { mode: 'attn_bias', seed: 5, encoder: { width: 16, heads, layers: 1, maxPosition: MAXPOS, residDropout: 0 }, objectives });
const layout = { kind: '1d' as const, start: 0, length: ST };

describe('SeqPE objectives', () => {
  it('split the one-pass vectors correctly: L_δ and L_OOD equal the losses from separate encoder passes', () => {
    const enc = make(config(0));
    const obj = enc.objectives({ layout, rng: new Rng(1) })!;
    const plan = obj.plan(1);
    expect(plan.shifted).toBe(false);
    expect(plan.extraPositions.length).toBe(3 + 3 * 5 + 2 * 4);
    expect(plan.weights).toEqual({ contrastive: 0.1, distillation: 0.1 });
    tf.tidy(() => {
      const out = enc.apply(layout, { training: false, cache: false, extraPositions: plan.extraPositions });
      const l = obj.losses(out, plan);
      expect(Object.keys(l).sort()).toEqual(['contrastive', 'distillation']);
      // independent route: encode every group on its own
      const e = (ps: number[][]) => enc.encoder.encode(ps, { training: false });
      const xp = plan.extraPositions as number[][]; // 1-D: [[t], …]
      const ct = xp.slice(0, 3);
      const cands = xp.slice(3, 18);
      const ref = contrastiveLoss(e(ct), e(cands).reshape([3, 5, 16]) as tf.Tensor3D, plan.contrastive!.labels);
      expect(l.contrastive.dataSync()[0]).toBeCloseTo(ref.dataSync()[0], 5);
      const teacherPos = plan.distillation!.teacherIndices.map((i: number) => [i]);
      const students = xp.slice(18);
      const refOod = distillationLoss(e(teacherPos).reshape([2, 4, 16]) as tf.Tensor3D, e(students).reshape([2, 4, 16]) as tf.Tensor3D, 2);
      expect(l.distillation.dataSync()[0]).toBeCloseTo(refOod.dataSync()[0], 5);
      // students are the teachers shifted by one offset per set, beyond ⌊L/4⌋
      for (let s = 0; s < 2; s++) {
        const off = students[s * 4][0] - teacherPos[s * 4][0];
        expect(off).toBeGreaterThanOrEqual(Math.floor(ST / 4));
        for (let j = 0; j < 4; j++) expect(students[s * 4 + j][0] - teacherPos[s * 4 + j][0]).toBe(off);
      }
    });
    enc.dispose();
  });

  it('take maxPosition and heads from the encoder: positions stay below it, and L_OOD splits by the encoder heads', () => {
    for (const heads of [1, 4]) {
      const enc = make(config(1), heads);
      const obj = enc.objectives({ layout, rng: new Rng(2) })!;
      expect(obj.encoder).toEqual({ dims: 1, maxPosition: MAXPOS, heads });
      let shifted = 0;
      for (let s = 1; s <= 30; s++) {
        const plan = obj.plan(s);
        if (plan.shifted) shifted++;
        for (const p of plan.extraPositions as number[][]) expect(p[0] >= 0 && p[0] < MAXPOS).toBe(true);
        expect(typeof plan.start === 'number' && plan.start + ST <= MAXPOS).toBe(true);
      }
      expect(shifted).toBe(30); // rate 1: every step shifted, so no distillation on any of them
      enc.dispose();
    }
  });

  it('draw their three sampler seeds from the given stream: equal stream states give equal plans, others differ', () => {
    const enc = make(config(0.5));
    const plans = (seed: number) => {
      const obj = enc.objectives({ layout, rng: new Rng(seed) })!;
      return Array.from({ length: 5 }, (_, i) => obj.plan(i + 1));
    };
    expect(plans(7)).toEqual(plans(7));
    expect(plans(8)).not.toEqual(plans(7));
    // exactly three draws from the stream, whatever is configured
    const r1 = new Rng(3);
    make(config(0)).objectives({ layout, rng: r1 });
    const r2 = new Rng(3);
    r2.nextU32();
    r2.nextU32();
    r2.nextU32();
    expect(r1.getState()).toEqual(r2.getState());
    enc.dispose();
  });

  it('exist only when configured, and the capabilities say so', () => {
    const none = make();
    expect(none.capabilities.objectives).toBe(false);
    expect(none.objectives({ layout, rng: new Rng(1) })).toBeUndefined();
    const zero = make({ contrastive: { weight: 0 } });
    expect(zero.capabilities.objectives).toBe(false);
    const some = make(config(0.1));
    expect(some.capabilities).toMatchObject({ objectives: true, rawVectors: true, extraPositions: true, shiftedWindows: { '1d': true, '2d': false } });
    [none, zero, some].forEach((e) => e.dispose());
  });

  it('fail clearly on a pass without vectors, a wrong-sized extra block, a 2-D task for a 1-D encoder, a bad weight', () => {
    const enc = make(config(0));
    const obj = enc.objectives({ layout, rng: new Rng(1) })!;
    const plan = obj.plan(1);
    expect(() => obj.losses({}, plan)).toThrow(/need vectors\.main and vectors\.extra.*no vectors/);
    tf.tidy(() => {
      const out = enc.apply(layout, { training: false, extraPositions: plan.extraPositions.slice(1) });
      expect(() => obj.losses(out, plan)).toThrow(/vectors\.extra has shape \[25,16\], expected \[26, outDim\]/);
    });
    expect(() => enc.objectives({ layout: { kind: '2d', start: [0, 0], rows: 3, cols: 3 }, rng: new Rng(1) })).toThrow(/2-D but the encoder is 1-D/);
    expect(() => new SeqPEObjectives({ contrastive: { weight: -1 } }, { dims: 1, maxPosition: MAXPOS, heads: 2 }, layout, { contrastive: 1, distillation: 2, shift: 3 }))
      .toThrow(/contrastive\.weight must be a finite number ≥ 0, got -1/);
    // checkpoints: a sampler state that does not match the configuration is refused before anything is assigned
    expect(() => obj.setState({ contrastive: obj.getState().contrastive })).toThrow(/lacks distillation sampler state/);
    enc.dispose();
  });

  it('an encoding without position vectors refuses extraPositions instead of ignoring them', () => {
    const nope = new NoPE(dims);
    expect(() => nope.apply(layout, { training: true, extraPositions: [[3]] })).toThrow(/none: got 1 extraPositions/);
    expect(nope.capabilities.extraPositions).toBe(false);
  });

  it('models adopt the encoding under its own parameter names (pe.encoder.blocks.0.attn.qkv.w, pe.pe_qk.w, …)', () => {
    const enc = make();
    const model = new CausalLM({ vocab: 8, dModel: 16, layers: 1, heads: 2, seed: 1 }, enc);
    const names = model.params.list().filter((p) => p.group === 'pe').map((p) => p.name);
    expect(names).toEqual([...enc.namedVariables().keys()].map((k) => `pe.${k}`));
    expect(names).toContain('pe.encoder.blocks.0.attn.qkv.w');
    expect(names).toContain('pe.pe_qk.w');
    expect(model.params.get('pe.encoder.cls')).toBe(enc.encoder.param('cls'));
    model.dispose();
    enc.dispose();
  });
});
