/**
 * Language-modelling data: one token stream per split, random training windows, and the paper's evaluation chunks.
 *
 * Stream: the split's documents in id order, each followed by a separator ('\n\n' by default — the speeches have no
 * paragraph breaks, so a blank line marks a document boundary the model can learn), tokenized and concatenated into one
 * Int32Array. The separator is appended after every document, including the last, so every document looks the same.
 *
 * Training windows (seeded): a start s uniform in [0, n − T − 1]; inputs = stream[s, s+T), targets = stream[s+1, s+T+1).
 * Windows may cross document boundaries, like the paper's concatenate-then-block training.
 *
 * Evaluation (seqpe-method.md §2.1): non-overlapping chunks of exactly L tokens (stride L), the LAST PARTIAL CHUNK KEPT.
 * Each chunk is one model input; the model predicts chunk[1..len) from chunk[0..len−1), so a chunk of length len
 * contributes len − 1 predictions (a final chunk of one token contributes none). `maxTokens` cuts the stream to its
 * first N tokens before chunking (quick profiles); the cut is recorded by the caller with the result.
 */
import { Rng } from '../util/rng';
import { DataError } from './errors';
import { SotuOptions } from './sotu';
import { SplitName, SplitOptions, sotuSplits, SPLIT_NAMES } from './splits';
import { getTokenizer, Tokenizer } from './tokenizer';

export interface TokenStream {
  tokens: Int32Array;
  /** Document ids in stream order. */
  docIds: string[];
  /** Offset of each document's first token in `tokens` (parallel to docIds). */
  docStarts: Int32Array;
  tokenizer: string;
  vocabSize: number;
  separator: string;
}

export interface StreamOptions {
  /** Appended after each document. Default '\n\n'. */
  separator?: string;
}

/** Tokenizes and concatenates documents (see the file comment). */
export function buildTokenStream(
  docs: ReadonlyArray<{ id: string; text: string }>,
  tokenizer: Tokenizer,
  options: StreamOptions = {},
): TokenStream {
  const separator = options.separator ?? '\n\n';
  const sep = tokenizer.encode(separator);
  const parts = docs.map((d) => tokenizer.encode(d.text));
  const total = parts.reduce((s, p) => s + p.length + sep.length, 0);
  const tokens = new Int32Array(total);
  const docStarts = new Int32Array(docs.length);
  let o = 0;
  parts.forEach((p, i) => {
    docStarts[i] = o;
    tokens.set(p, o);
    o += p.length;
    tokens.set(sep, o);
    o += sep.length;
  });
  return { tokens, docIds: docs.map((d) => d.id), docStarts, tokenizer: tokenizer.name, vocabSize: tokenizer.vocabSize, separator };
}

const streamCache = new Map<string, TokenStream>();

/**
 * The token stream of one SOTU split, cached in module scope per (corpus options, split options, tokenizer, separator).
 * Treat the returned arrays as read-only.
 */
export function sotuTokenStream(
  split: SplitName,
  options: SotuOptions & SplitOptions & StreamOptions & { tokenizer?: string } = {},
): TokenStream {
  if (!SPLIT_NAMES.includes(split)) throw new DataError(`unknown split "${split}"; expected one of ${SPLIT_NAMES.join(', ')}`);
  const tokenizer = getTokenizer(options.tokenizer ?? 'bytes-v1');
  const key = JSON.stringify([options.dir ?? null, options.normalize ?? false, options.seed ?? null, options.fractions ?? null,
    options.separator ?? null, tokenizer.name, split]);
  const hit = streamCache.get(key);
  if (hit) return hit;
  const s = sotuSplits(options);
  const stream = buildTokenStream(s[split], tokenizer, options);
  streamCache.set(key, stream);
  return stream;
}

/** A batch of windows, row-major [batch, time]; targets[b, t] = the token after inputs[b, t]. */
export interface LmBatch {
  inputs: Int32Array;
  targets: Int32Array;
  batch: number;
  time: number;
  /** Stream offset of each window (for debugging and tests). */
  starts: Int32Array;
}

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new DataError(`${what} must be a positive integer, got ${v}`);
}

/** `batch` random windows of time+1 tokens from the stream, drawn with `rng` (advances it). */
export function sampleTrainingBatch(tokens: Int32Array, batch: number, time: number, rng: Rng): LmBatch {
  checkPositiveInt(batch, 'batch');
  checkPositiveInt(time, 'time');
  if (tokens.length < time + 1) {
    throw new DataError(`token stream has ${tokens.length} tokens; a training window needs time + 1 = ${time + 1}`);
  }
  const inputs = new Int32Array(batch * time); // [batch, time]
  const targets = new Int32Array(batch * time); // [batch, time]
  const starts = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const s = rng.int(0, tokens.length - time);
    starts[b] = s;
    inputs.set(tokens.subarray(s, s + time), b * time);
    targets.set(tokens.subarray(s + 1, s + time + 1), b * time);
  }
  return { inputs, targets, batch, time, starts };
}

export interface EvalChunk {
  /** Offset of the chunk's first token in the (capped) stream. */
  start: number;
  /** Chunk tokens: a view into the stream, length L except possibly for the last chunk. */
  tokens: Int32Array;
}

export interface EvalChunkOptions {
  /** Use only the first maxTokens tokens of the stream (quick profiles). */
  maxTokens?: number;
}

/** Non-overlapping chunks of exactly L tokens, last partial chunk kept (see the file comment). */
export function evalChunks(tokens: Int32Array, L: number, options: EvalChunkOptions = {}): EvalChunk[] {
  checkPositiveInt(L, 'eval length L');
  let n = tokens.length;
  if (options.maxTokens !== undefined) {
    checkPositiveInt(options.maxTokens, 'maxTokens');
    n = Math.min(n, options.maxTokens);
  }
  const chunks: EvalChunk[] = [];
  for (let s = 0; s < n; s += L) chunks.push({ start: s, tokens: tokens.subarray(s, Math.min(s + L, n)) });
  return chunks;
}

/** A chunk as model input and next-token targets: inputs = tokens[0, len−1), targets = tokens[1, len). */
export function chunkInputsTargets(chunk: EvalChunk): { inputs: Int32Array; targets: Int32Array } {
  const t = chunk.tokens;
  return { inputs: t.subarray(0, Math.max(0, t.length - 1)), targets: t.subarray(1) };
}
