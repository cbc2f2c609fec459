/**
 * Loose and degenerate configs, table-driven: run configs (src/experiments/config-check.ts), the train config, and the
 * model and encoder constructors each name the field, its value and what was expected; an unknown key names its dotted
 * path, the allowed keys and the closest of them. Every config the catalog builds passes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend';
import { NoPE } from '../../src/encodings/none';
import { SeqPEEncoder } from '../../src/encodings/seqpe/encoder';
import { checkRunConfig } from '../../src/experiments/config-check';
import { EXPERIMENTS, runDependencies } from '../../src/experiments/catalog';
import { lmMethods, lmRunConfig, lmSeqpe, qaRunConfig, vitMethods, vitRunConfig, type RunConfig } from '../../src/experiments/configs';
import { getProfile, PROFILES } from '../../src/experiments/profiles';
import { CausalLM } from '../../src/models/causal-lm';
import { ViT } from '../../src/models/vit';
import { checkConfig } from '../../src/train/config';

const p = getProfile('small');
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
/** A copy of `c` with the value at dotted `at` set (undefined deletes it). */
function edit<T>(c: T, at: string, v: unknown): T {
  const out = clone(c) as Record<string, unknown>;
  const keys = at.split('.');
  let o = out;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (v === undefined) delete o[keys[keys.length - 1]];
  else o[keys[keys.length - 1]] = v;
  return out as T;
}

describe('run configs', () => {
  it('every config the catalog builds, in every profile, passes (and its dependencies)', () => {
    let n = 0;
    for (const prof of Object.values(PROFILES)) {
      for (const e of EXPERIMENTS) {
        for (const r of e.runs(prof)) {
          expect(() => checkRunConfig(clone(r), `${prof.name}/${e.name}`)).not.toThrow();
          for (const d of runDependencies(r)) checkRunConfig(clone(d));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  const lm = lmRunConfig(p, lmSeqpe(p), 1);
  const vit = vitRunConfig(p, vitMethods(p)[3], 1);
  const qa = qaRunConfig(p, lmRunConfig(p, lmMethods(p)[0], 1));
  const cases: Array<[string, RunConfig, string]> = [
    // unknown keys, with their path, the allowed keys and the closest one
    ['typo in the encoder', edit(lm, 'method.encoding.encoder.widht', 64), 'f: unknown key "method.encoding.encoder.widht" (did you mean "width"?); allowed keys of method.encoding.encoder: base, dims, maxPosition, width, layers, heads, mlpRatio, attention, maskPadding, outDim, temperature, residDropout, attnDropout, lnEps, initStd, truncatedInit, path, evalChunk'],
    ['typo at the top', edit(lm, 'sead', 1), 'f: unknown key "sead" (did you mean "seed"?); allowed keys: kind, profile, seed, method, model, data, train, eval'],
    ['typo in the objectives', edit(lm, 'method.encoding.objectives.contrastive.wieght', 1), 'f: unknown key "method.encoding.objectives.contrastive.wieght" (did you mean "weight"?)'],
    ['key of another encoding', edit(lmRunConfig(p, lmMethods(p)[2], 1), 'method.encoding.theta', 10), 'f: unknown key "method.encoding.theta"; allowed keys of method.encoding: base'],
    ['typo in the QA base', edit(qa, 'base.train.lrr', 1), 'f: unknown key "base.train.lrr" (did you mean "lr"?)'],
    // strings and non-finite numbers where numbers belong
    ['string steps', edit(lm, 'train.steps', '100'), 'f: train.steps is "100"; expected an integer ≥ 1'],
    ['string inside a list', edit(lm, 'eval.lengths', [64, '128']), 'f: eval.lengths[1] is "128"; expected an integer ≥ 1'],
    ['NaN lr', edit(lm, 'train.lr', NaN), 'f: train.lr is NaN; expected a finite number > 0'],
    ['null lr (a NaN written as JSON)', edit(lm, 'train.lr', null), 'f: train.lr is null; expected a finite number > 0'],
    ['missing field', edit(lm, 'train.batch', undefined), 'f: train.batch is missing'],
    ['unknown encoding', edit(lm, 'method.encoding.name', 'rotary'), 'f: method.encoding.name is "rotary"; expected one of none, sinusoidal, rope, rope2d, rope-mixed, alibi, ape, seqpe'],
    ['unknown mode', edit(lm, 'method.encoding.mode', 'bias'), 'f: method.encoding.mode is "bias"; expected one of "input_add", "attn_bias", "qk_gate"'],
    // degenerate models
    ['layers 0', edit(lm, 'model.layers', 0), 'f: model.layers is 0; expected an integer ≥ 1'],
    ['heads 0', edit(lm, 'model.heads', 0), 'f: model.heads is 0; expected an integer ≥ 1'],
    ['width not divisible by heads', edit(lm, 'model.heads', 3), 'f: model.dModel width 64 is not divisible by its 3 heads'],
    ['encoder width not divisible', edit(lm, 'method.encoding.encoder.heads', 3), 'f: method.encoding.encoder.width width 64 is not divisible by its 3 heads'],
    ['negative dropout', edit(lm, 'model.dropout', -0.1), 'f: model.dropout is -0.1; expected a number in [0, 1)'],
    ['dropout 1', edit(vit, 'model.dropout', 1), 'f: model.dropout is 1; expected a number in [0, 1)'],
    ['encoder dropout 1', edit(lm, 'method.encoding.encoder.residDropout', 1), 'f: method.encoding.encoder.residDropout is 1; expected a number in [0, 1)'],
    ['vocab 0', edit(lm, 'model.vocab', 0), 'f: model.vocab is 0; expected an integer ≥ 1'],
    ['patch not dividing the image', edit(vit, 'data.patch', 5), 'f: data.patch 5 does not divide data.nativeSize 28'],
    ['eval size off the patch grid', edit(vit, 'eval.sizes', [28, 30]), 'f: eval.sizes[1] 30 is not a multiple of data.patch 4'],
    ['max position below the train length', edit(lm, 'method.encoding.encoder.maxPosition', 32), 'f: method.encoding.encoder.maxPosition 32 is below the training length train.seqLen 64; SeqPE must cover every trained position'],
    ['2-D max position below the grid', edit(vit, 'method.encoding.encoder.maxPosition', 40), 'f: method.encoding.encoder.maxPosition 40 is below the 49 cells of the training grid'],
    ['APE table shorter than training', edit(lmRunConfig(p, lmMethods(p)[0], 1), 'method.encoding.trainLength', 16), 'f: method.encoding.trainLength 16 is below the training length train.seqLen 64'],
    ['warm-up as long as the run', edit(lm, 'train.warmup', lm.train.steps), `f: train.warmup ${lm.train.steps} is not below train.steps ${lm.train.steps}`],
    ['QA seed apart from its LM', edit(qa, 'seed', 2), 'f: seed 2 differs from base.seed 1; a QA run fine-tunes its own LM'],
    ['negative seed', edit(lm, 'seed', -1), 'f: seed is -1; expected an integer ≥ 0'],
  ];
  it.each(cases.map(([name, cfg, msg]) => ({ name, cfg, msg })))('$name', ({ cfg, msg }) => {
    expect(() => checkRunConfig(cfg, 'f')).toThrow(msg);
  });
});

describe('train config', () => {
  const ok = { steps: 10, seed: 1, lr: 1e-3 };
  it.each([
    [{ ...ok, warmupSteps: 5 }, 'train: unknown key "warmupSteps"; allowed keys: steps, seed, lr, peLr'],
    [{ ...ok, schedule: { kind: 'cosine', warmupStep: 5 } }, 'train: unknown key "schedule.warmupStep" (did you mean "warmupSteps"?)'],
    [{ ...ok, clip: { mian: 1 } }, 'train: unknown key "clip.mian" (did you mean "main"?); allowed keys of clip: main, pe'],
    [{ ...ok, checkpoint: { path: 'x', evry: 3 } }, 'train: unknown key "checkpoint.evry" (did you mean "every"?)'],
    [{ ...ok, lr: '0.001' }, 'train: lr is "0.001" (a string); expected a number'],
    [{ ...ok, steps: 0 }, 'train: steps must be an integer ≥ 1, got 0'],
  ])('%j', (c, msg) => {
    expect(() => checkConfig(c as never)).toThrow(msg);
  });
  it('accepts a full config', () => {
    expect(() => checkConfig({ ...ok, schedule: { kind: 'cosine', warmupSteps: 2 }, clip: { main: 1, pe: 2 }, checkpoint: { path: 'x', every: 3 }, progress: { mode: 'silent' } })).not.toThrow();
  });
});

describe('model and encoder constructors', () => {
  beforeAll(async () => {
    await initBackend();
  });
  const dims = { dModel: 8, heads: 2, layers: 1 };
  const lm = { vocab: 16, dModel: 8, layers: 1, heads: 2, seed: 0 };
  const vit = { imageSize: 8, patchSize: 4, classes: 3, dModel: 8, layers: 1, heads: 2, seed: 0 };
  const cases: Array<[string, () => unknown, string]> = [
    ['LM heads 0', () => new CausalLM({ ...lm, heads: 0 }, new NoPE(dims)), 'CausalLM: heads must be a positive integer, got 0'],
    ['LM dModel not divisible', () => new CausalLM({ ...lm, dModel: 10, heads: 4 }, new NoPE(dims)), 'CausalLM: dModel 10 is not divisible by heads 4'],
    ['LM layers −1', () => new CausalLM({ ...lm, layers: -1 }, new NoPE(dims)), 'CausalLM: layers must be an integer ≥ 0, got -1'],
    ['LM dropout −0.1', () => new CausalLM({ ...lm, dropout: -0.1 }, new NoPE(dims)), 'CausalLM: dropout must be a number in [0, 1), got -0.1'],
    ['LM attnDropout 1', () => new CausalLM({ ...lm, attnDropout: 1 }, new NoPE(dims)), 'CausalLM: attnDropout must be a number in [0, 1), got 1'],
    ['LM vocab 0', () => new CausalLM({ ...lm, vocab: 0 }, new NoPE(dims)), 'CausalLM: vocab must be an integer ≥ 2, got 0'],
    ['LM string dModel', () => new CausalLM({ ...lm, dModel: '8' as never }, new NoPE(dims)), 'CausalLM: dModel must be a positive integer, got "8"'],
    ['LM unknown key', () => new CausalLM({ ...lm, dmodel: 8 } as never, new NoPE(dims)), 'CausalLM: unknown key "dmodel" (did you mean "dModel"?); allowed keys: vocab, dModel, layers, heads, mlpRatio, dropout, attnDropout, initStd, seed'],
    ['ViT patch not dividing', () => new ViT({ ...vit, patchSize: 3 }, new NoPE(dims)), 'ViT: imageSize 8 is not a multiple of patchSize 3'],
    ['ViT classes 1', () => new ViT({ ...vit, classes: 1 }, new NoPE(dims)), 'ViT: classes must be an integer ≥ 2, got 1'],
    ['ViT dropout 1', () => new ViT({ ...vit, dropout: 1 }, new NoPE(dims)), 'ViT: dropout must be a number in [0, 1), got 1'],
    ['ViT unknown key', () => new ViT({ ...vit, patch: 4 } as never, new NoPE(dims)), 'ViT: unknown key "patch"'],
    ['encoder layers 0', () => new SeqPEEncoder({ seed: 0, width: 8, heads: 2, layers: 0 }), 'SeqPEEncoder: layers must be a positive integer, got 0'],
    ['encoder heads 0', () => new SeqPEEncoder({ seed: 0, width: 8, heads: 0 }), 'SeqPEEncoder: heads must be a positive integer, got 0'],
    ['encoder width not divisible', () => new SeqPEEncoder({ seed: 0, width: 10, heads: 4 }), 'SeqPEEncoder: width 10 is not divisible by heads 4'],
    ['encoder dropout −0.5', () => new SeqPEEncoder({ seed: 0, width: 8, heads: 2, residDropout: -0.5 }), 'SeqPEEncoder: residDropout must be in [0, 1), got -0.5'],
    ['encoder attnDropout 1', () => new SeqPEEncoder({ seed: 0, width: 8, heads: 2, attnDropout: 1 }), 'SeqPEEncoder: attnDropout must be in [0, 1), got 1'],
    ['encoder max position 0', () => new SeqPEEncoder({ seed: 0, width: 8, heads: 2, maxPosition: 0 }), 'maxPosition must be an integer ≥ 1 (exclusive upper bound), got 0'],
    ['encoder unknown key', () => new SeqPEEncoder({ seed: 0, widht: 8 } as never), 'SeqPEEncoder: unknown key "widht" (did you mean "width"?)'],
  ];
  it.each(cases.map(([name, make, msg]) => ({ name, make, msg })))('$name', ({ make, msg }) => {
    expect(make).toThrow(msg);
  });
});
