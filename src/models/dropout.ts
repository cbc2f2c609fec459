/**
 * Inverted dropout with masks drawn from the caller's seeded Rng (not tfjs's internal generator), so a training run is
 * reproducible from its checkpointed Rng state. Identity when not training or rate = 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng';

export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, rng: Rng | undefined): T {
  if (!training || rate === 0) return x;
  if (!(rate > 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (!rng) throw new Error('dropout: training with dropout > 0 needs an Rng (pass `rng` in the forward options)');
  const keep = 1 / (1 - rate);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= rate ? keep : 0;
  return tf.tidy(() => x.mul(tf.tensor(mask, x.shape, 'float32'))) as T;
}
