import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend, backendInfo } from '../src/backend';
import { kernels } from '../src/kernels/index';
import { hostGatherRows } from '../src/kernels/tuned/gather-rows';

describe('backend selection', () => {
  it('picks wasm automatically on this machine kind (tfjs-node cannot install offline) and reports it', async () => {
    const info = await initBackend(undefined);
    // Where tfjs-node-gpu installs it is preferred; otherwise wasm. Either way the report names the engine in use.
    expect(['tensorflow', 'wasm']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.name);
    expect(describeBackend(info)).toMatch(new RegExp(`^backend: ${info.name} \\(.*kernels ${info.kernels.replace(/\+/g, '\\+')}\\)$`));
    expect(kernels().name).toBe(info.kernels);
    expect(backendInfo()).toBe(info);
  });

  it('rejects an unknown SEQPE_BACKEND value, naming it and the choices', async () => {
    await expect(initBackend('gpu-please')).rejects.toThrow(/"gpu-please".*tensorflow, wasm, cpu/);
  });

  it('fails clearly when a forced backend is not installed', async () => {
    let hasNative = false;
    try {
      require('@tensorflow/tfjs-node-gpu');
      hasNative = true;
    } catch {
      /* expected here */
    }
    if (hasNative) return; // on a machine with tfjs-node-gpu the forced choice is legitimately available
    await expect(initBackend('tensorflow')).rejects.toThrow(/SEQPE_BACKEND=tensorflow .*not available/);
  });

  it('can be forced to cpu and back, computing the same numbers', async () => {
    const a = [1, 2, 3, 4];
    const cpu = await initBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // each engine installs its kernel set: cpu keeps tensors in host memory, so rows are gathered in JS
    expect(cpu.kernels).toBe('tuned+host-gather');
    expect(kernels().gatherRows).toBe(hostGatherRows);
    const onCpu = tf.tidy(() => tf.tensor2d(a, [2, 2]).matMul(tf.tensor2d(a, [2, 2])).dataSync());
    const wasm = await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.kernels).toBe('tuned+wasm-js');
    expect(kernels().name).toBe('tuned+wasm-js');
    const onWasm = tf.tidy(() => tf.tensor2d(a, [2, 2]).matMul(tf.tensor2d(a, [2, 2])).dataSync());
    // [[1,2],[3,4]]² = [[7,10],[15,22]] by hand
    expect(Array.from(onCpu)).toEqual([7, 10, 15, 22]);
    expect(Array.from(onWasm)).toEqual([7, 10, 15, 22]);
  });
});
