/**
 * What a run's result.json must hold before it is written and whenever it is read back from the cache: the fields its
 * kind's result type declares, and finite numbers wherever a number belongs. A NaN written by JSON.stringify becomes
 * null, so a null is accepted only where the result type allows one (NoPE has no similarity map: null awareness; an
 * encoding without attention bias: null collapse) and is otherwise a problem, like NaN and ±∞ in memory.
 */
import type { RunConfig } from './configs';

type Kind = RunConfig['kind'];

/** Dotted paths (with [i] for array items) whose value may be null, per run kind. */
const NULLABLE: Record<Kind, RegExp[]> = {
  lm: [/^awareness\.(inside|beyond|far)$/, /^collapse$/],
  qa: [],
  vit: [],
};

/** Fields every result of a kind must have, with a test of the value. */
type Check = (v: unknown) => boolean;
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const count: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const text: Check = (v) => typeof v === 'string' && v.length > 0;
const orNull = (c: Check): Check => (v) => v === null || c(v);
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const rows = (fields: Record<string, Check>): Check => (v) =>
  Array.isArray(v) && v.length > 0 && v.every((r) => obj(r) && Object.entries(fields).every(([k, c]) => c(r[k])));
const shape = (fields: Record<string, Check>): Check => (v) => obj(v) && Object.entries(fields).every(([k, c]) => c(v[k]));

const COMMON: Record<string, Check> = { label: text, finalTrainLoss: finite, steps: (v) => count(v) && (v as number) >= 1, trainSeconds: finite };
const PARAMS = shape({ total: count, pe: count });
const REQUIRED: Record<Kind, Record<string, Check>> = {
  lm: {
    ...COMMON,
    ppl: rows({ length: count, ppl: finite, nll: finite, tokens: count, chunks: count }),
    params: PARAMS,
    maps: Array.isArray,
    awareness: shape({ inside: orNull(finite), beyond: orNull(finite) }),
    collapse: (v) => v === null || obj(v),
  },
  qa: { ...COMMON, byLength: rows({ length: count, em: finite, answerNll: finite, examples: count }) },
  vit: {
    ...COMMON,
    accuracy: rows({ size: count, grid: count, accuracy: finite, correct: count, count: count }),
    params: PARAMS,
    maps: Array.isArray,
    awareness: shape({ train: finite, largest: finite }),
  },
};

/** NaN, ±∞ or null: the tree walk below names these, with their exact value. */
const nonNumber = (v: unknown): boolean => v === null || (typeof v === 'number' && !Number.isFinite(v));

/** Every problem with `value` as the result of a run of `kind` (empty when it is sound). At most `limit` listed. */
export function resultProblems(value: unknown, kind: Kind, limit = 8): string[] {
  const out: string[] = [];
  if (!obj(value)) return [`the result is ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}, expected an object`];
  if (value.kind !== kind) out.push(`kind is ${JSON.stringify(value.kind)}, expected "${kind}"`);
  const required = REQUIRED[kind];
  if (!required) return [`unknown run kind ${JSON.stringify(kind)}`];
  for (const [k, check] of Object.entries(required)) {
    if (!(k in value)) out.push(`${k} is missing`);
    else if (!check(value[k]) && !nonNumber(value[k])) out.push(`${k} is malformed (${JSON.stringify(value[k])?.slice(0, 80)})`);
  }
  // Anywhere in the tree: no NaN or ±∞, and null only where allowed.
  const walk = (v: unknown, at: string): void => {
    if (out.length >= limit) return;
    if (v === null) {
      if (!NULLABLE[kind].some((re) => re.test(at))) out.push(`${at} is null where a value belongs (a NaN written as JSON?)`);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) out.push(`${at} is ${v}, expected a finite number`);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) walk(x, at ? `${at}.${k}` : k);
  };
  walk(value, '');
  return [...new Set(out)].slice(0, limit);
}

/** Throws, naming `file` and every problem (then `consequence`), unless `value` is a sound result of a `kind` run. */
export function checkResult(file: string, value: unknown, kind: Kind, consequence?: string): void {
  const problems = resultProblems(value, kind);
  if (problems.length) throw new Error(`${file}: not a valid ${kind} result: ${problems.join('; ')}${consequence ? ` (${consequence})` : ''}`);
}
