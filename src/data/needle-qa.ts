/**
 * Needle-in-a-haystack QA (RULER "NIAH single" style; data-sources.md §2.2) — the stand-in for the paper's squad_qa:
 * one answer-bearing sentence hidden somewhere in a length-L context of real held-out text, then a question about it.
 *
 * An example of total length exactly L tokens is, in order:
 *   haystack[0, p)  ++  needle  ++  haystack[p, H)  ++  question  ++  target
 * - needle   = "The {key} code is {number}. " (number: NEEDLE_DIGITS = 4 digits, uniform in [1000, 9999]);
 * - question = "\nQ: {key} code?\nA:";
 * - target   = " {number}" + end marker "\n" (the end marker plays the role of the paper's EOS: the answer-only loss covers
 *   [answerStart, answerEnd) = target, and greedy decoding can stop at it);
 * - the haystack is H = L − |needle| − |question| − |target| consecutive tokens of a split's token stream, from a
 *   random start moved forward to the next sentence start (a position right after ". ") when one fits, so the context
 *   does not begin mid-word;
 * - the needle goes at a word boundary: a target depth d (uniform in [0, 1] unless given) picks the point d·H, and the
 *   nearest boundary wins — position 0 or a position right after a space (ties → the earlier one). Word rather than
 *   sentence boundaries because at the fine-tuning length the haystack is ~70 bytes, often a single sentence: with
 *   sentence boundaries nearly every needle would sit at depth 0 and the model would never have to search. If the
 *   window has no space at all the needle goes at 0. `depth` in the result is the achieved needleStart / H (0 when H = 0).
 * Why this compact wording: the fine-tuning context of the small profile is 128 bytes, and the earlier RULER wording
 * ("The special magic number for {key} is {7 digits}." + "What is the special magic number for {key}?") took 116–128 of
 * them, leaving no haystack to search. Needle + question + target here take 30 + 2·|key| + 2·NEEDLE_DIGITS bytes, at most
 * 58 (longest key, 10 letters), so the haystack is at least 70 of 128 bytes (55 %). The task shape is the paper's: a fact
 * hidden in distractor text, a question at the end naming what is asked for, a short answer scored by substring EM.
 * The four parts are tokenized separately and concatenated, so lengths and spans are exact for any tokenizer; for the
 * compositional byte tokenizer this equals tokenizing the joined text.
 * The haystack stream is a split's token stream, e.g. sotuTokenStream('train').tokens for fine-tuning and
 * sotuTokenStream('validation' | 'test').tokens for evaluation, so evaluation text is never seen in training.
 * Keys come from a built-in list of common nouns (no system dictionary needed). The smallest allowed L is
 * needleMinLength(tokenizer) (58 for bytes-v1), checked against the longest key so that validity never depends on the draw.
 */
import { Rng } from '../util/rng';
import { DataError } from './errors';
import { Tokenizer } from './tokenizer';

export const NEEDLE_KEYS: readonly string[] = [
  'apple', 'anchor', 'arrow', 'badge', 'basket', 'beacon', 'bell', 'blanket', 'bottle', 'bridge', 'bucket', 'butter',
  'cabin', 'camera', 'candle', 'canyon', 'carpet', 'castle', 'cellar', 'chair', 'cherry', 'chimney', 'clock', 'cloud',
  'compass', 'copper', 'cotton', 'crystal', 'desert', 'diamond', 'dolphin', 'dragon', 'drum', 'eagle', 'engine',
  'falcon', 'feather', 'forest', 'fountain', 'garden', 'glacier', 'guitar', 'hammer', 'harbor', 'helmet', 'honey',
  'island', 'jacket', 'jungle', 'kettle', 'kitten', 'ladder', 'lantern', 'lemon', 'library', 'lighthouse', 'magnet',
  'marble', 'meadow', 'mirror', 'mountain', 'needle', 'ocean', 'orange', 'orchard', 'oyster', 'paddle', 'palace',
  'parrot', 'pebble', 'pencil', 'pepper', 'piano', 'pillow', 'planet', 'pocket', 'puzzle', 'rabbit', 'raven', 'ribbon',
  'river', 'rocket', 'saddle', 'sailor', 'scarf', 'shadow', 'silver', 'spider', 'squirrel', 'statue', 'summit', 'sunset',
  'teacup', 'thunder', 'tiger', 'tower', 'trumpet', 'tunnel', 'turtle', 'umbrella', 'valley', 'velvet', 'violin',
  'volcano', 'wagon', 'walnut', 'whistle', 'window', 'wizard', 'zebra',
];

export const NEEDLE_END_MARKER = '\n';
/** Digits of the answer number (leading digit 1–9). */
export const NEEDLE_DIGITS = 4;

export function needleSentence(key: string, answer: string): string {
  return `The ${key} code is ${answer}. `;
}

export function needleQuestion(key: string): string {
  return `\nQ: ${key} code?\nA:`;
}

/** What follows the question: the answer-only loss span, " {answer}" + end marker. */
export function needleTarget(answer: string): string {
  return ` ${answer}${NEEDLE_END_MARKER}`;
}

export interface NeedleOptions {
  /** Total tokens: context + question + answer. */
  length: number;
  /** Seed or generator for every draw (window, key, number, depth). A passed Rng is advanced. */
  seed: number | Rng;
  /** Target depth in [0, 1] (fraction of the haystack before the needle). Default: uniform. */
  depth?: number;
}

export interface NeedleExample {
  /** [length]: context + question + target. */
  tokens: Int32Array;
  length: number;
  /** The prompt for generation is tokens[0, answerStart). */
  answerStart: number;
  /** Exclusive; [answerStart, answerEnd) = " {answer}" + end marker, the answer-only loss span. Equals length. */
  answerEnd: number;
  /** The gold answer (NEEDLE_DIGITS digits, no spaces). */
  answer: string;
  key: string;
  /** Achieved depth: needleStart / haystack length (0 for an empty haystack). */
  depth: number;
  /** Needle token span [needleStart, needleEnd) in tokens. */
  needleStart: number;
  needleEnd: number;
  /** Haystack tokens used (H) and where they start in the source stream. */
  haystackLength: number;
  haystackStart: number;
  tokenizer: string;
}

/**
 * The most tokens needle + question + answer + end marker take with any key (the longest key for bytes), i.e. the
 * fewest total tokens an example can always have: an example of this length may have no haystack at all.
 */
export function needleMinLength(tokenizer: Tokenizer): number {
  const zeros = '0'.repeat(NEEDLE_DIGITS);
  let most = 0;
  for (const key of NEEDLE_KEYS) {
    const n =
      tokenizer.encode(needleSentence(key, zeros)).length +
      tokenizer.encode(needleQuestion(key)).length +
      tokenizer.encode(needleTarget(zeros)).length;
    most = Math.max(most, n);
  }
  return most;
}

/** True when the tokens just before position i decode to text ending in ". " (a sentence start). */
function isSentenceStart(stream: Int32Array, i: number, tok: Tokenizer): boolean {
  if (i < 2) return false;
  return tok.decode(stream.subarray(i - 2, i)).endsWith('. ');
}

/** True when the token just before position i decodes to text ending in a space (a word start). */
function isWordStart(stream: Int32Array, i: number, tok: Tokenizer): boolean {
  if (i < 1) return false;
  return tok.decode(stream.subarray(i - 1, i)).endsWith(' ');
}

/** One example built from `haystack` (a held-out split's token stream). See the file comment. */
export function makeNeedleExample(haystack: Int32Array, tokenizer: Tokenizer, options: NeedleOptions): NeedleExample {
  const L = options.length;
  if (!Number.isInteger(L) || L < 1) throw new DataError(`needle QA length must be a positive integer, got ${L}`);
  if (options.depth !== undefined && !(options.depth >= 0 && options.depth <= 1)) {
    throw new DataError(`needle depth must be in [0, 1], got ${options.depth}`);
  }
  // Checked against the longest key, so whether a length works never depends on the draw.
  const minLength = needleMinLength(tokenizer);
  if (L < minLength) {
    throw new DataError(
      `needle QA length ${L} is too small: needle + question + answer (+ end marker) take up to ${minLength} ` +
        `${tokenizer.name} tokens (longest key); use a length of at least ${minLength}`,
    );
  }
  const rng = typeof options.seed === 'number' ? new Rng(options.seed) : options.seed;
  const key = NEEDLE_KEYS[rng.int(0, NEEDLE_KEYS.length)];
  const answer = String(rng.int(10 ** (NEEDLE_DIGITS - 1), 10 ** NEEDLE_DIGITS));
  const depthTarget = options.depth ?? rng.next();
  const startDraw = rng.next();

  const needle = tokenizer.encode(needleSentence(key, answer));
  const question = tokenizer.encode(needleQuestion(key));
  const target = tokenizer.encode(needleTarget(answer));
  const fixed = needle.length + question.length + target.length;
  const H = L - fixed;
  if (haystack.length < H) {
    throw new DataError(`haystack stream has ${haystack.length} tokens, fewer than the ${H} needed for length ${L}`);
  }

  // Window start: uniform, then forward to the next sentence start if the window still fits.
  const maxStart = haystack.length - H;
  let start = Math.floor(startDraw * (maxStart + 1));
  for (let s = start; s <= maxStart; s++) {
    if (s === 0 || isSentenceStart(haystack, s, tokenizer)) {
      start = s;
      break;
    }
  }
  const hay = haystack.subarray(start, start + H);

  // Needle position: the word boundary nearest to depthTarget·H (0 is always a boundary).
  const want = depthTarget * H;
  let pos = 0;
  for (let i = 1; i <= H; i++) {
    if (isWordStart(hay, i, tokenizer) && Math.abs(i - want) < Math.abs(pos - want)) pos = i;
  }

  const tokens = new Int32Array(L);
  tokens.set(hay.subarray(0, pos), 0);
  tokens.set(needle, pos);
  tokens.set(hay.subarray(pos), pos + needle.length);
  tokens.set(question, H + needle.length);
  const answerStart = H + needle.length + question.length;
  tokens.set(target, answerStart);
  return {
    tokens,
    length: L,
    answerStart,
    answerEnd: L,
    answer,
    key,
    depth: H === 0 ? 0 : pos / H,
    needleStart: pos,
    needleEnd: pos + needle.length,
    haystackLength: H,
    haystackStart: start,
    tokenizer: tokenizer.name,
  };
}

/** `count` examples of one length; example i is drawn from the i-th fork of Rng(seed), so prefixes of sets agree. */
export function makeNeedleSet(
  haystack: Int32Array,
  tokenizer: Tokenizer,
  options: { length: number; count: number; seed: number },
): NeedleExample[] {
  if (!Number.isInteger(options.count) || options.count < 0) throw new DataError(`count must be a non-negative integer, got ${options.count}`);
  const rng = new Rng(options.seed);
  const out: NeedleExample[] = [];
  for (let i = 0; i < options.count; i++) out.push(makeNeedleExample(haystack, tokenizer, { length: options.length, seed: rng.fork(i) }));
  return out;
}

/**
 * The paper's exact match (qa_eval.py validate_gen): true when some gold answer, lower-cased and stripped, is a
 * substring of the lower-cased generation.
 */
export function exactMatch(generation: string, golds: string | readonly string[]): boolean {
  const list = typeof golds === 'string' ? [golds] : golds;
  if (list.length === 0) throw new DataError('exactMatch: no gold answers given');
  const gen = generation.toLowerCase();
  return list.some((g) => {
    const gold = g.toLowerCase().trim();
    if (gold.length === 0) throw new DataError('exactMatch: a gold answer is empty after stripping (it would match everything)');
    return gen.includes(gold);
  });
}

/** Mean exact match ×100 over parallel lists of generations and gold answers. */
export function exactMatchScore(generations: readonly string[], golds: ReadonlyArray<string | readonly string[]>): number {
  if (generations.length !== golds.length) {
    throw new DataError(`exactMatchScore: ${generations.length} generations but ${golds.length} gold entries`);
  }
  if (generations.length === 0) throw new DataError('exactMatchScore: no examples');
  let hits = 0;
  generations.forEach((g, i) => {
    if (exactMatch(g, golds[i])) hits++;
  });
  return (100 * hits) / generations.length;
}
