/**
 * Seeded inverted dropout: mask = [u ≥ rate] / (1 − rate) with u = tf.randomUniform(shape, seed). The uniform draws come
 * from tfjs's seeded generator (alea, keyed by the seed's decimal string), so the same seed gives the same mask on every
 * engine; the caller draws the seed from its run's Rng (one integer per call, not one number per element).
 * (tfjs 4.22 fills randomUniform on the host and uploads it: no device RNG op exists in this version. The mask therefore
 * costs one upload and no download; an engine with a device RNG can swap this member.)
 * Both kernel sets use this one implementation: it has no gradient of its own (autodiff through a multiply).
 */
import * as tf from '@tensorflow/tfjs';
import { checkRate, checkSeed } from '../checks';

export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  checkRate(rate, 'dropout');
  checkSeed(seed, 'dropout');
  return tf.tidy(() => {
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', seed); // same shape as x
    const mask = u.greaterEqual(rate).cast('float32').mul(1 / (1 - rate));
    return x.mul(mask);
  }) as T;
}
