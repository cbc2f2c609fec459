/**
 * The prefix-sharing fast path of the SeqPE encoder (causal attention only).
 *
 * Under causal attention the hidden state of digit t depends only on digits 0..t, so every position whose digit
 * sequence starts with the same t+1 symbols has the same state at slot t, in every layer. The positions of a batch
 * therefore form a trie of digit prefixes: 1 100 five-digit positions 0..1099 have 1 + 2 + 11 + 110 + 1 100 distinct
 * prefixes instead of 5 · 1 100 digit tokens. We run the blocks over the trie nodes once each:
 *
 *   - each node is one row; its query attends to the keys/values of its ancestors and itself, gathered row-wise
 *     (gatherRows) through a padded [nodes, maxKeys] ancestor index (slot j holds the ancestor at depth j), with an
 *     additive mask on the unused slots;
 *   - the CLS token is one extra leaf per input position (ancestors: its L digit nodes), placed after every digit node,
 *     so the CLS rows are one contiguous block at the end.
 *
 * Position-wise parts (LayerNorm, q/k/v and output projections, MLP) are the same code as the straightforward path, run on
 * node rows instead of token rows; only the attention core differs, and it lives here.
 *
 * Pad masking (optional) is a property of the key token, and whether a digit is a left pad depends only on the digits
 * of its own dimension up to it, i.e. on the prefix: it is stored per node. As in the straightforward path a token always
 * sees itself, so no softmax row is empty.
 *
 * Training dropout note: a dropped unit of a shared prefix node is dropped for every position sharing that prefix
 * (the straightforward path draws an independent mask per token copy). Each position still sees ordinary Bernoulli
 * dropout; only the correlation across positions differs.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../../kernels/index';
import { DigitBatch } from '../../positions/digits';

/** Additive logit for a masked key: exp underflows to exactly 0 after the softmax's max subtraction. */
export const MASKED_LOGIT = -1e9;

export interface PrefixTrie {
  /** Input rows (one CLS leaf each). */
  count: number;
  /** Digit tokens per position, L = dims · digits. */
  seqLen: number;
  /** Distinct digit prefixes = digit nodes; they are rows 0..digitNodes−1. */
  digitNodes: number;
  /** digitNodes + count; CLS leaves are rows digitNodes..nodes−1, in input order. */
  nodes: number;
  /** Digit symbol of each digit node [digitNodes]. */
  digit: Int32Array;
  /** Digit-position slot (= depth) of each digit node [digitNodes]. */
  slot: Int32Array;
  /** 1 if the node's own token is a left pad [digitNodes]. */
  pad: Uint8Array;
  /** Key slots per query: L + 1 (the CLS sees L digits and itself). */
  maxKeys: number;
  /** Node index of the key in each slot [nodes, maxKeys]; unused slots repeat the node itself (and are masked). */
  ancestors: Int32Array;
  /** Additive mask per slot [nodes, maxKeys]: 0 or MASKED_LOGIT. */
  keyMask: Float32Array;
  /** Node holding each token's state [count, L + 1] (CLS last), to map node states back to tokens. */
  tokenNode: Int32Array;
}

/**
 * Builds the trie of digit prefixes of a batch (plain JS, from the digit ids).
 * @param maskPadding mask left-pad keys (except a token's own key), as the straightforward path does.
 */
export function buildPrefixTrie(batch: DigitBatch, maskPadding: boolean): PrefixTrie {
  const { count, seqLen: L } = batch;
  const base = batch.spec.base;
  const S = L + 1;
  const children = new Map<number, number>(); // (parent + 1) · base + digit → node
  const digit: number[] = [];
  const slot: number[] = [];
  const pad: number[] = [];
  const parent: number[] = [];
  const tokenNode = new Int32Array(count * S);
  for (let r = 0; r < count; r++) {
    let node = -1;
    for (let t = 0; t < L; t++) {
      const s = batch.ids[r * L + t];
      const key = (node + 1) * base + s;
      let child = children.get(key);
      if (child === undefined) {
        child = digit.length;
        children.set(key, child);
        digit.push(s);
        slot.push(t);
        pad.push(batch.mask[r * L + t] === 0 ? 1 : 0);
        parent.push(node);
      }
      node = child;
      tokenNode[r * S + t] = node;
    }
  }
  const digitNodes = digit.length;
  const nodes = digitNodes + count;
  const M = S;
  const ancestors = new Int32Array(nodes * M);
  const keyMask = new Float32Array(nodes * M);
  // Digit nodes: slot j ← ancestor at depth j (walk up the parents), self at its own depth.
  for (let n = 0; n < digitNodes; n++) {
    const depth = slot[n];
    let a = n;
    for (let j = depth; j >= 0; j--) {
      ancestors[n * M + j] = a;
      if (maskPadding && a !== n && pad[a] === 1) keyMask[n * M + j] = MASKED_LOGIT;
      a = parent[a];
    }
    for (let j = depth + 1; j < M; j++) {
      ancestors[n * M + j] = n;
      keyMask[n * M + j] = MASKED_LOGIT;
    }
  }
  // CLS leaves: the L digit nodes of the row, then itself (never a pad).
  for (let r = 0; r < count; r++) {
    const n = digitNodes + r;
    tokenNode[r * S + L] = n;
    for (let j = 0; j < L; j++) {
      const a = tokenNode[r * S + j];
      ancestors[n * M + j] = a;
      if (maskPadding && pad[a] === 1) keyMask[n * M + j] = MASKED_LOGIT;
    }
    ancestors[n * M + L] = n;
  }
  return {
    count,
    seqLen: L,
    digitNodes,
    nodes,
    digit: Int32Array.from(digit),
    slot: Int32Array.from(slot),
    pad: Uint8Array.from(pad),
    maxKeys: M,
    ancestors,
    keyMask,
    tokenNode,
  };
}

/** The trie's additive key mask as a tensor [nodes, maxKeys, 1], built once per forward and shared by every layer. */
export function prefixKeyMask(trie: PrefixTrie): tf.Tensor3D {
  return tf.tensor3d(trie.keyMask, [trie.nodes, trie.maxKeys, 1]);
}

/**
 * Multi-head attention over trie nodes: each query row attends to the keys/values of its ancestor slots.
 * @param q [rows, d] queries of the query rows (all nodes, or only the CLS leaves when clsOnly), unscaled
 * @param k [nodes, d] keys of every node
 * @param v [nodes, d] values of every node
 * @param keyMask prefixKeyMask(trie)
 * @param clsOnly the query rows are the CLS leaves only (the last layer: nothing reads the digit nodes' outputs)
 * @param dropout applied to the attention probabilities [rows, maxKeys, heads]
 * @returns [rows, d]
 */
export function prefixAttention(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  trie: PrefixTrie,
  keyMask: tf.Tensor3D,
  heads: number,
  clsOnly: boolean,
  dropout?: <T extends tf.Tensor>(p: T) => T,
): tf.Tensor2D {
  return tf.tidy(() => {
    const d = q.shape[1];
    const dh = d / heads;
    const M = trie.maxKeys;
    const first = clsOnly ? trie.digitNodes : 0;
    const rows = clsOnly ? trie.count : trie.nodes;
    if (q.shape[0] !== rows) throw new Error(`prefixAttention: ${q.shape[0]} query rows, expected ${rows}`);
    const anc = trie.ancestors.subarray(first * M, (first + rows) * M);
    const mask = clsOnly ? keyMask.slice([first, 0, 0], [rows, M, 1]) : keyMask; // [rows, M, 1]
    const kg = gatherRows(k, anc).reshape([rows, M, heads, dh]); // [rows, M, H, dh]
    const vg = gatherRows(v, anc).reshape([rows, M, heads, dh]); // [rows, M, H, dh]
    // Scores by broadcast multiply-and-sum over d_head: with one query per row this beats batched matMuls of
    // [1, d_head]·[d_head, M] and needs no transposes of the gathered keys.
    const qh = q.mul(1 / Math.sqrt(dh)).reshape([rows, 1, heads, dh]);
    const scores = qh.mul(kg).sum(-1).add(mask); // [rows, M, H]
    // Softmax over the key slots (tfjs softmax works on the last axis only): [rows, H, M] and back.
    let p = tf.softmax(scores.transpose([0, 2, 1]), -1).transpose([0, 2, 1]); // [rows, M, H]
    if (dropout) p = dropout(p);
    return p.reshape([rows, M, heads, 1]).mul(vg).sum(1).reshape([rows, d]) as tf.Tensor2D; // Σ_slots p·v
  });
}
