/**
 * Training dropout for the models: identity when not training or rate = 0; otherwise one integer seed is drawn from the
 * run's Rng per call and the kernel draws the mask from it (src/kernels dropout). So a run is reproducible from its
 * checkpointed Rng state (same seed + same engine → same numbers), and no per-element mask is built in JS.
 */
import type * as tf from '@tensorflow/tfjs';
import { dropout as dropoutKernel } from '../kernels/index';
import type { Rng } from '../util/rng';

export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, rng: Rng | undefined): T {
  if (!training || rate === 0) return x;
  if (!(rate > 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (!rng) throw new Error('dropout: training with dropout > 0 needs an Rng (pass `rng` in the forward options)');
  return dropoutKernel(x, rate, rng.nextU32());
}
