/**
 * How the SeqPE encoder lays its tokens out as rows [rows, d] for the position-wise parts of the blocks, and the attention
 * core that goes with each layout. Two layouts give the same numbers (spec §1.5):
 *
 * - full:   every token of every position, count·(L+1) rows (position-major, CLS last), batched attention with a
 *           causal (and optional pad) mask;
 * - prefix: one row per distinct digit prefix plus one CLS leaf per position (causal attention only; prefix.ts).
 *
 * The block input of a row depends only on its (digit, slot) pair or on its being a CLS, so the layout gives it as a small
 * table [base·L + 1, d] (row s·L + t: digit s at slot t; last row: CLS) plus one table row per layout row: the first
 * block's LayerNorm and q/k/v projections then run on the table's few rows and are gathered, instead of on every row.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, gatherRows } from '../../kernels/index';
import { DigitBatch } from '../../positions/digits';
import type { ResolvedEncoderConfig } from './config';
import { MASKED_LOGIT, prefixAttention, prefixKeyMask, PrefixTrie } from './prefix';

/** A dropout applied to attention probabilities (identity-shaped). */
export type ProbDropout = <T extends tf.Tensor>(p: T) => T;

export interface RowLayout {
  /** Distinct block inputs [base·L + 1, d]. */
  inputTable: tf.Tensor2D;
  /** Table row of every layout row [rows]. */
  inputIndex: Int32Array;
  /** Layout rows of the CLS tokens [count], in position order. */
  clsRows: Int32Array;
  /**
   * Attention core: q [rows | count, d] (count = CLS rows only when clsOnly), k and v [rows, d], unscaled, heads
   * contiguous along d. Returns [rows | count, d].
   */
  attend(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, clsOnly: boolean, drop?: ProbDropout): tf.Tensor2D;
  /** The CLS rows [count, d] of a [rows, d] state. */
  cls(x: tf.Tensor2D): tf.Tensor2D;
  /** Per-token view [count, L+1, d] of a [rows, d] state (inspection). */
  tokens(x: tf.Tensor2D): tf.Tensor3D;
}

/** Every token of every position as rows [count·(L+1), d] (position-major, CLS last). */
export function fullRowLayout(batch: DigitBatch, inputTable: tf.Tensor2D, c: ResolvedEncoderConfig, seqLen: number): RowLayout {
  const N = batch.count;
  const L = seqLen;
  const S = L + 1;
  const d = c.width;
  const H = c.heads;
  const dh = d / H;
  const clsId = c.base * L;
  const inputIndex = new Int32Array(N * S);
  const clsRows = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < L; t++) inputIndex[n * S + t] = batch.ids[n * L + t] * L + t;
    inputIndex[n * S + L] = clsId;
    clsRows[n] = n * S + L;
  }
  const mask = fullMask(batch, c, L); // [N | 1, 1, S, S] or undefined
  const clsMask = mask ? mask.slice([0, 0, L, 0], [mask.shape[0], 1, 1, S]) : undefined;
  return {
    inputTable,
    inputIndex,
    clsRows,
    attend: (q, k, v, clsOnly, drop) => {
      const Sq = clsOnly ? 1 : S;
      const qh = q.mul(1 / Math.sqrt(dh)).reshape([N, Sq, H, dh]).transpose([0, 2, 1, 3]); // [N, H, Sq, dh]
      const kT = k.reshape([N, S, H, dh]).transpose([0, 2, 3, 1]); // [N, H, dh, S]
      const vh = v.reshape([N, S, H, dh]).transpose([0, 2, 1, 3]); // [N, H, S, dh]
      let scores = batchMatMul(qh, kT) as tf.Tensor4D; // [N, H, Sq, S]
      const m = clsOnly ? clsMask : mask;
      if (m) scores = scores.add(m);
      let p = tf.softmax(scores, -1) as tf.Tensor4D;
      if (drop) p = drop(p);
      return batchMatMul(p, vh).transpose([0, 2, 1, 3]).reshape([N * Sq, d]) as tf.Tensor2D; // [N, Sq, H, dh] → rows
    },
    cls: (s) => s.reshape([N, S, d]).slice([0, L, 0], [N, 1, d]).reshape([N, d]) as tf.Tensor2D,
    tokens: (s) => s.reshape([N, S, d]) as tf.Tensor3D,
  };
}

/**
 * Additive attention mask of the full path: causal (key after query) and, with maskPadding, left-pad keys other than
 * the query itself. [1, 1, S, S] when it does not depend on the position, [N, 1, S, S] with pad masking; undefined if
 * nothing is masked.
 */
function fullMask(batch: DigitBatch, c: ResolvedEncoderConfig, L: number): tf.Tensor4D | undefined {
  const causal = c.attention === 'causal';
  const pads = c.maskPadding;
  if (!causal && !pads) return undefined;
  const S = L + 1;
  const Nm = pads ? batch.count : 1;
  const m = new Float32Array(Nm * S * S);
  for (let n = 0; n < Nm; n++) {
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const future = causal && j > i;
        const pad = pads && j < L && j !== i && batch.mask[n * L + j] === 0;
        if (future || pad) m[(n * S + i) * S + j] = MASKED_LOGIT;
      }
    }
  }
  return tf.tensor4d(m, [Nm, 1, S, S]);
}

/** One row per trie node (distinct digit prefixes, then one CLS leaf per position). */
export function prefixRowLayout(trie: PrefixTrie, inputTable: tf.Tensor2D, c: ResolvedEncoderConfig): RowLayout {
  const d = c.width;
  const H = c.heads;
  const L = trie.seqLen;
  const S = L + 1;
  const clsId = c.base * L;
  const inputIndex = new Int32Array(trie.nodes);
  for (let n = 0; n < trie.digitNodes; n++) inputIndex[n] = trie.digit[n] * L + trie.slot[n];
  inputIndex.fill(clsId, trie.digitNodes);
  const clsRows = Int32Array.from({ length: trie.count }, (_, r) => trie.digitNodes + r);
  const keyMask = prefixKeyMask(trie);
  return {
    inputTable,
    inputIndex,
    clsRows,
    attend: (q, k, v, clsOnly, drop) => prefixAttention(q, k, v, trie, keyMask, H, clsOnly, drop),
    cls: (s) => s.slice([trie.digitNodes, 0], [trie.count, d]) as tf.Tensor2D,
    tokens: (s) => gatherRows(s, trie.tokenNode).reshape([trie.count, S, d]) as tf.Tensor3D,
  };
}
