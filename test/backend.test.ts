import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend, backendInfo } from '../src/backend';
import { kernels, tunedKernels } from '../src/kernels/index';
import { gelu as fusedGelu, softmaxCrossEntropy as fusedCrossEntropy } from '../src/kernels/wasm/index';
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

  it('SEQPE_KERNELS=fused installs the fused wasm set on wasm; default keeps tuned + wasm-js', async () => {
    const fused = await initBackend('wasm', 'fused');
    expect(fused.kernels).toBe('tuned+wasm-js+wasm-fused');
    expect(kernels().name).toBe(fused.kernels);
    expect(describeBackend(fused)).toMatch(/kernels tuned\+wasm-js\+wasm-fused\)$/);
    expect(kernels().gelu).toBe(fusedGelu);
    expect(kernels().softmaxCrossEntropy).toBe(fusedCrossEntropy);
    tf.tidy(() => {
      const k = kernels();
      const x = tf.randomNormal([2, 3, 5, 5], 0, 2, 'float32', 5) as tf.Tensor4D; // [B, H, S, S]
      const g = tf.randomNormal([5], 1, 0.3, 'float32', 6) as tf.Tensor1D;
      const b = tf.randomNormal([5], 0, 1, 'float32', 7) as tf.Tensor1D;
      const diff = (a: tf.Tensor, c: tf.Tensor) => a.sub(c).abs().max().dataSync()[0];
      // The fused members agree with the tuned ones to float rounding …
      expect(diff(k.layerNorm(x, g, b), tunedKernels.layerNorm(x, g, b))).toBeLessThan(1e-5);
      expect(diff(k.gelu(x, 'erf'), tunedKernels.gelu(x, 'erf'))).toBeLessThan(1e-5);
      // … for a causal mask given as [1, 1, S, S], as [S, S] (broadcast like tf.add), and for none.
      const causal = tf.linalg.bandPart(tf.ones([5, 5]), -1, 0).sub(1).mul(1e9); // 0 on and below the diagonal
      for (const m of [causal.reshape([1, 1, 5, 5]), causal, null]) {
        expect(diff(k.softmax(x, m), tunedKernels.softmax(x, m))).toBeLessThan(1e-6);
      }
      // A mask that is not [.., S, S] in its last two dims, and an ε other than 1e-5, run the base member: same numbers.
      const padding = tf.tensor([0, 0, 0, -1e9, -1e9]).reshape([1, 1, 1, 5]);
      expect(diff(k.softmax(x, padding), tunedKernels.softmax(x, padding))).toBe(0);
      expect(diff(k.layerNorm(x, g, b, 1e-3), tunedKernels.layerNorm(x, g, b, 1e-3))).toBe(0);
      const logits = x.reshape([30, 5]) as tf.Tensor2D;
      const t = Int32Array.from({ length: 30 }, (_, i) => i % 5);
      const ce = k.softmaxCrossEntropy(logits, t).dataSync()[0];
      expect(Math.abs(ce - tunedKernels.softmaxCrossEntropy(logits, t).dataSync()[0])).toBeLessThan(1e-6 * Math.max(1, ce));
    });
    const back = await initBackend('wasm', 'default');
    expect(back.kernels).toBe('tuned+wasm-js');
    expect(kernels().name).toBe('tuned+wasm-js');
    expect(kernels().gelu).not.toBe(fusedGelu);
  });

  it('rejects an unknown SEQPE_KERNELS value and fused on another engine, by name', async () => {
    await expect(initBackend('wasm', 'turbo')).rejects.toThrow(/SEQPE_KERNELS="turbo" is not a kernel choice; expected one of default, fused/);
    await expect(initBackend('cpu', 'fused')).rejects.toThrow(/SEQPE_KERNELS=fused needs the wasm engine, but SEQPE_BACKEND="cpu"/);
    // The failed requests changed nothing.
    const info = await initBackend('wasm', 'default');
    expect(info.kernels).toBe('tuned+wasm-js');
  });
});
