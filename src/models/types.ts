/** What every model shares: forward options, the result of a forward pass, and the surface the training loop uses. */
import type * as tf from '@tensorflow/tfjs';
import type { EncodingOutput, EncodingRequest, PositionEncoding, PositionLayout } from '../encodings/types';
import type { Rng } from '../util/rng';
import type { ParamStore } from './params';

export interface ForwardOptions {
  /** Training mode: dropout on, and passed to the encoding. */
  training: boolean;
  /** Positions of this pass; default: the origin window/grid matching the input. */
  layout?: PositionLayout;
  /** Dropout draws; required when training with a dropout rate > 0. */
  rng?: Rng;
  /** Passed to the encoding's apply() untouched (e.g. SeqPE's extraPositions for its objectives, or cache). */
  encoding?: EncodingRequest;
  /** Called with each layer's attention probabilities [B, H, S, S] (inspection and tests; slows the pass). */
  onAttention?: (layer: number, probs: tf.Tensor4D) => void;
}

/** A forward pass: the logits and what the encoding produced for it (its position vectors feed the encoding's objectives). */
export interface ModelRun<T extends tf.Tensor = tf.Tensor> {
  logits: T;
  encoding: EncodingOutput;
}

/** The part of a model the training loop and checkpoints rely on. */
export interface TrainableModel {
  readonly params: ParamStore;
  readonly encoding: PositionEncoding;
  /** Plain-JSON description of the architecture (written into checkpoints). */
  describe(): Record<string, unknown>;
  dispose(): void;
}
