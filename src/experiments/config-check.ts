/**
 * What a run config (config.json, or one built in code) must look like before anything is built from it: every key
 * known (an unknown one is named with its dotted path, the allowed keys and the closest of them, so `encoder.widht`
 * cannot silently train at the default width), every value of its type (a string where a number belongs is named with
 * its path and value), and the cross-field rules a model needs (SeqPE's maxPosition covers the training length, the
 * patch divides the image, heads divide the width).
 *
 * The key tables are typed against the config interfaces (`{ [K in keyof Required<T>]: Rule }`), so adding a field to
 * an interface without adding it here is a compile error, not a config this check rejects.
 */
import type { ContrastiveObjectiveConfig, DistillationObjectiveConfig, SeqPEEncoderConfig, ShiftConfig } from '../encodings/index';
import { SEQPE_MODES } from '../encodings/seqpe/modes';
import type { ModeProbs } from '../positions/contrastive-sampler';
import { unknownKeyMessage } from '../util/keys';
import type { LmRunConfig, MethodSpec, QaRunConfig, RunConfig, VitRunConfig } from './configs';

type Leaf = 'int' | 'count' | 'natural' | 'number' | 'positive' | 'rate' | 'prob' | 'string' | 'boolean' | 'counts';
type Rule = Leaf | { oneOf: readonly (string | number)[] } | Shape;
interface Shape {
  keys: Record<string, Rule>;
  /** Keys that may be absent. */
  optional?: readonly string[];
}
type Keys<T> = { [K in keyof Required<T>]: Rule };

const LEAF_TEST: Record<Leaf, [(v: unknown) => boolean, string]> = {
  int: [(v) => Number.isSafeInteger(v), 'an integer'],
  count: [(v) => Number.isSafeInteger(v) && (v as number) >= 1, 'an integer ≥ 1'],
  natural: [(v) => Number.isSafeInteger(v) && (v as number) >= 0, 'an integer ≥ 0'],
  number: [(v) => typeof v === 'number' && Number.isFinite(v), 'a finite number'],
  positive: [(v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a finite number > 0'],
  rate: [(v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'],
  prob: [(v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number in [0, 1]'],
  string: [(v) => typeof v === 'string' && v.length > 0, 'a non-empty string'],
  boolean: [(v) => typeof v === 'boolean', 'true or false'],
  counts: [(v) => Array.isArray(v) && v.length > 0, 'a non-empty list of integers ≥ 1'],
};

const shape = <T>(keys: Keys<T>, optional: readonly (keyof T & string)[] = []): Shape => ({ keys, optional });

const ENCODER: Shape = shape<Omit<SeqPEEncoderConfig, 'seed'>>(
  {
    base: 'count', dims: { oneOf: [1, 2] }, maxPosition: 'count', width: 'count', layers: 'count', heads: 'count', mlpRatio: 'count',
    attention: { oneOf: ['causal', 'bidirectional'] }, maskPadding: 'boolean', outDim: 'count', temperature: 'positive',
    residDropout: 'rate', attnDropout: 'rate', lnEps: 'positive', initStd: 'number', truncatedInit: 'boolean',
    path: { oneOf: ['auto', 'full', 'prefix'] }, evalChunk: 'count',
  },
  ['base', 'dims', 'maxPosition', 'width', 'layers', 'heads', 'mlpRatio', 'attention', 'maskPadding', 'outDim', 'temperature', 'residDropout', 'attnDropout', 'lnEps', 'initStd', 'truncatedInit', 'path', 'evalChunk'],
);
const MODE_PROBS = shape<ModeProbs>({ none: 'prob', hard: 'prob', distributional: 'prob' });
const CONTRASTIVE = shape<ContrastiveObjectiveConfig>(
  { weight: 'number', warmupSteps: 'natural', positionRange: 'count', batchSize: 'count', contrastiveSize: 'count', hardRatio: 'prob', modeProbs: MODE_PROBS, distRange: 'count', trainSide: 'count', maxHardAttempts: 'count' },
  ['warmupSteps', 'positionRange', 'batchSize', 'contrastiveSize', 'hardRatio', 'modeProbs', 'distRange', 'trainSide', 'maxHardAttempts'],
);
const DISTILLATION = shape<DistillationObjectiveConfig>(
  { weight: 'number', warmupSteps: 'natural', batchSize: 'count', setSize: 'count', beta: 'number', scale: 'positive', everyStep: 'boolean' },
  ['warmupSteps', 'batchSize', 'setSize', 'beta', 'scale', 'everyStep'],
);
const SHIFT = shape<ShiftConfig>({ rate: 'prob', poolSize: 'count', restartSpan: 'count' }, ['rate', 'poolSize', 'restartSpan']);
const OBJECTIVES: Shape = { keys: { contrastive: CONTRASTIVE, distillation: DISTILLATION, shift: SHIFT }, optional: ['contrastive', 'distillation', 'shift'] };

/** The encoding spec's keys by its name (EncodingSpec in src/encodings/index.ts). */
const ENCODINGS: Record<string, Shape> = {
  none: { keys: {} },
  sinusoidal: { keys: { base: 'positive' }, optional: ['base'] },
  rope: { keys: { base: 'positive' }, optional: ['base'] },
  rope2d: { keys: { base: 'positive' }, optional: ['base'] },
  'rope-mixed': { keys: { theta: 'positive' }, optional: ['theta'] },
  alibi: { keys: {} },
  ape: { keys: { trainLength: 'count', trainRows: 'count', trainCols: 'count', prefix: 'natural' }, optional: ['trainLength', 'trainRows', 'trainCols', 'prefix'] },
  seqpe: { keys: { mode: { oneOf: SEQPE_MODES }, encoder: ENCODER, objectives: OBJECTIVES }, optional: ['encoder', 'objectives'] },
};

const METHOD = shape<MethodSpec>({ label: 'string', encoding: 'string' /* checked by checkEncoding */, peLr: 'positive' }, ['peLr']);
const LM_MODEL = shape<LmRunConfig['model']>({ vocab: 'count', dModel: 'count', layers: 'count', heads: 'count', dropout: 'rate' });
const LM = shape<LmRunConfig>({
  kind: 'string', profile: 'string', seed: 'natural', method: METHOD, model: LM_MODEL,
  data: shape<LmRunConfig['data']>({ corpus: { oneOf: ['sotu'] }, tokenizer: { oneOf: ['bytes-v1'] }, splitSeed: 'int' }),
  train: shape<LmRunConfig['train']>({ steps: 'count', batch: 'count', seqLen: 'count', lr: 'positive', warmup: 'natural', schedule: { oneOf: ['cosine'] }, weightDecay: 'number', clip: 'positive' }),
  eval: shape<LmRunConfig['eval']>({ lengths: 'counts', tokens: 'count', split: { oneOf: ['test'] } }),
});
const QA = shape<QaRunConfig>({
  kind: 'string', profile: 'string', seed: 'natural', base: 'string' /* checked as an LM config */, method: METHOD,
  train: shape<QaRunConfig['train']>({ steps: 'count', batch: 'count', length: 'count', lr: 'positive', examples: 'count' }),
  eval: shape<QaRunConfig['eval']>({ lengths: 'counts', examples: 'count', greedyUpTo: 'count' }),
});
const VIT = shape<VitRunConfig>({
  kind: 'string', profile: 'string', seed: 'natural', method: METHOD,
  model: shape<VitRunConfig['model']>({ dModel: 'count', layers: 'count', heads: 'count', dropout: 'rate', classes: 'count' }),
  data: shape<VitRunConfig['data']>({ dataset: { oneOf: ['mnist'] }, trainImages: 'count', testImages: 'count', nativeSize: 'count', patch: 'count' }),
  train: shape<VitRunConfig['train']>({ steps: 'count', batch: 'count', lr: 'positive', warmup: 'natural', schedule: { oneOf: ['cosine'] }, weightDecay: 'number', clip: 'positive' }),
  eval: shape<VitRunConfig['eval']>({ sizes: 'counts' }),
});

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? 'undefined');

/** Checks `v` against `rule` at dotted path `at`; `skip` lists the keys checked separately (their rule is a placeholder). */
function check(what: string, v: unknown, rule: Rule, at: string, skip: readonly string[] = []): void {
  if (typeof rule === 'string') {
    const [ok, expected] = LEAF_TEST[rule];
    if (!ok(v)) throw new Error(`${what}: ${at} is ${show(v)}; expected ${expected}`);
    if (rule === 'counts') {
      (v as unknown[]).forEach((x, i) => {
        if (!LEAF_TEST.count[0](x)) throw new Error(`${what}: ${at}[${i}] is ${show(x)}; expected an integer ≥ 1`);
      });
    }
    return;
  }
  if ('oneOf' in rule) {
    if (!rule.oneOf.includes(v as string)) throw new Error(`${what}: ${at} is ${show(v)}; expected one of ${rule.oneOf.map((x) => JSON.stringify(x)).join(', ')}`);
    return;
  }
  if (!isObj(v)) throw new Error(`${what}: ${at || 'the config'} is ${show(v)}; expected an object`);
  const allowed = Object.keys(rule.keys);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new Error(unknownKeyMessage(what, at, k, allowed));
  for (const k of allowed) {
    const p = at ? `${at}.${k}` : k;
    if (v[k] === undefined) {
      if (!rule.optional?.includes(k)) throw new Error(`${what}: ${p} is missing`);
      continue;
    }
    if (!skip.includes(k)) check(what, v[k], rule.keys[k], p);
  }
}

function checkEncoding(what: string, spec: unknown, at: string): void {
  if (!isObj(spec)) throw new Error(`${what}: ${at} is ${show(spec)}; expected an encoding spec object`);
  const cases = Object.keys(ENCODINGS);
  const name = spec.name;
  if (typeof name !== 'string' || !ENCODINGS[name]) throw new Error(`${what}: ${at}.name is ${show(name)}; expected one of ${cases.join(', ')}`);
  const { name: _n, ...rest } = spec;
  const s = ENCODINGS[name];
  check(what, rest, { keys: s.keys, optional: s.optional }, at);
  if (name === 'seqpe' && rest.mode === undefined) throw new Error(`${what}: ${at}.mode is missing`);
  if (name === 'ape' && rest.trainLength === undefined && (rest.trainRows === undefined || rest.trainCols === undefined)) {
    throw new Error(`${what}: ${at} needs trainLength (1-D) or trainRows and trainCols (2-D)`);
  }
}

function checkMethod(what: string, m: unknown, at: string): void {
  check(what, m, METHOD, at, ['encoding']);
  checkEncoding(what, (m as Record<string, unknown>).encoding, `${at}.encoding`);
}

function checkHeads(what: string, at: string, width: number, heads: number): void {
  if (width % heads !== 0) throw new Error(`${what}: ${at} width ${width} is not divisible by its ${heads} heads`);
}

/** Cross-field rules that would otherwise fail deep inside a model, or train something meaningless. */
function checkCoherence(what: string, c: RunConfig): void {
  const enc = c.method.encoding;
  if (c.kind === 'lm' || c.kind === 'vit') checkHeads(what, 'model.dModel', c.model.dModel, c.model.heads);
  if (enc.name === 'seqpe' && enc.encoder?.width !== undefined && enc.encoder.heads !== undefined) {
    checkHeads(what, 'method.encoding.encoder.width', enc.encoder.width, enc.encoder.heads);
  }
  if (c.kind === 'lm') {
    const T = c.train.seqLen;
    if (enc.name === 'seqpe' && enc.encoder?.maxPosition !== undefined && enc.encoder.maxPosition < T) {
      throw new Error(`${what}: method.encoding.encoder.maxPosition ${enc.encoder.maxPosition} is below the training length train.seqLen ${T}; SeqPE must cover every trained position`);
    }
    if (enc.name === 'ape' && enc.trainLength !== undefined && enc.trainLength < T) {
      throw new Error(`${what}: method.encoding.trainLength ${enc.trainLength} is below the training length train.seqLen ${T}`);
    }
    if (c.train.warmup >= c.train.steps) throw new Error(`${what}: train.warmup ${c.train.warmup} is not below train.steps ${c.train.steps}`);
  }
  if (c.kind === 'vit') {
    const { nativeSize, patch } = c.data;
    if (nativeSize % patch !== 0) throw new Error(`${what}: data.patch ${patch} does not divide data.nativeSize ${nativeSize}`);
    c.eval.sizes.forEach((s, i) => {
      if (s % patch !== 0) throw new Error(`${what}: eval.sizes[${i}] ${s} is not a multiple of data.patch ${patch}`);
    });
    if (c.train.warmup >= c.train.steps) throw new Error(`${what}: train.warmup ${c.train.warmup} is not below train.steps ${c.train.steps}`);
    const grid = (nativeSize / patch) ** 2;
    if (enc.name === 'seqpe' && enc.encoder?.maxPosition !== undefined && enc.encoder.maxPosition < grid) {
      throw new Error(`${what}: method.encoding.encoder.maxPosition ${enc.encoder.maxPosition} is below the ${grid} cells of the training grid`);
    }
  }
}

/**
 * Throws unless `value` is a well-formed run config: known keys only, values of their types, coherent sizes. `what`
 * names where it came from (a file path, or "--config run.json"); messages give the dotted path of the bad field.
 */
export function checkRunConfig(value: unknown, what = 'run config'): asserts value is RunConfig {
  if (!isObj(value)) throw new Error(`${what}: expected a run config object, got ${show(value)}`);
  const kinds: Record<string, Shape> = { lm: LM, qa: QA, vit: VIT };
  if (typeof value.kind !== 'string' || !kinds[value.kind]) throw new Error(`${what}: kind is ${show(value.kind)}; expected one of lm, qa, vit`);
  check(what, value, kinds[value.kind], '', ['method', 'base']);
  checkMethod(what, value.method, 'method');
  if (value.kind === 'qa') {
    const base = value.base;
    if (!isObj(base) || base.kind !== 'lm') throw new Error(`${what}: base is ${show(base)?.slice(0, 60)}; expected the LM run config it fine-tunes (kind "lm")`);
    check(what, base, LM, 'base', ['method']);
    checkMethod(what, base.method, 'base.method');
    checkCoherence(`${what} (base)`, base as unknown as LmRunConfig);
    if (base.seed !== value.seed) throw new Error(`${what}: seed ${show(value.seed)} differs from base.seed ${show(base.seed)}; a QA run fine-tunes its own LM`);
  }
  checkCoherence(what, value as unknown as RunConfig);
}
