/**
 * The kernel registry: nothing runs before a set is installed (a clear error, no silent fallback), installKernels swaps
 * the set every call site uses, and the call-site functions forward every argument to the installed set.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import * as K from '../../src/kernels/index';

describe('kernel registry', () => {
  it('throws a clear error when a kernel is called before any set is installed', () => {
    expect(K.installedKernelsName()).toBeUndefined();
    expect(() => K.kernels()).toThrow(/no kernel set is installed: await initBackend\(\)/);
    expect(() => K.matMul(tf.zeros([1, 1]), tf.zeros([1, 1]))).toThrow(/no kernel set is installed/);
  });

  it('initBackend installs the engine set; installKernels swaps it and returns the previous one', async () => {
    const info = await initBackend();
    expect(K.installedKernelsName()).toBe(info.kernels);
    const calls: string[] = [];
    // A spy set: the reference set with every member recording its name and arguments' shapes.
    const spy = Object.fromEntries(
      Object.entries(K.referenceKernels).map(([name, f]) => [
        name,
        typeof f === 'function'
          ? (...args: unknown[]) => {
              calls.push(`${name}(${args.map((a) => (a instanceof tf.Tensor ? `[${a.shape}]` : a === undefined ? "undefined" : JSON.stringify(a))).join(', ')})`);
              return (f as (...a: unknown[]) => unknown)(...args);
            }
          : f,
      ]),
    ) as unknown as K.Kernels;
    const prev = K.installKernels({ ...spy, name: 'spy' });
    expect(prev?.name).toBe(info.kernels);
    tf.tidy(() => {
      const x = tf.ones([2, 3]);
      const w = tf.ones([3, 4]) as tf.Tensor2D;
      K.linear(x, w);
      K.layerNorm(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 0.5);
      K.gelu(x, 'erf');
      K.dropout(x, 0.25, 42);
      K.softmax(x, null);
      K.batchMatMul(tf.ones([2, 2, 3]), tf.ones([2, 3, 2]));
      K.softmaxCrossEntropy(x as tf.Tensor2D, [0, 2], [1, 3]);
    });
    expect(calls).toEqual([
      'linear([2,3], [3,4], undefined)',
      'layerNorm([2,3], [3], [3], 0.5)',
      'gelu([2,3], "erf")',
      'dropout([2,3], 0.25, 42)',
      'softmax([2,3], null)',
      'batchMatMul([2,2,3], [2,3,2])',
      'softmaxCrossEntropy([2,3], [0,2], [1,3])',
    ]);
    expect(K.installKernels(prev!)?.name).toBe('spy');
    expect(K.kernels().name).toBe(info.kernels);
  });
});
