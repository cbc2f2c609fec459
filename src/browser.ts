/**
 * The browser entry (package export `seqpe-ts/browser`, and what a bundler picks for `seqpe-ts` with the browser
 * condition): the core that runs without Node — positions and digits, every position encoding including SeqPE, the
 * models, the SeqPE losses, AdamW and clipping, the similarity evaluation, safetensors bytes — plus initBrowserBackend,
 * the browser's counterpart of src/backend.ts. No file here, and nothing it imports, names a Node built-in
 * (test/package/browser-graph.test.ts walks the graph; scripts/test-package.sh bundles it for the browser platform).
 * What needs files or processes (saving weights to a folder, checkpoints, datasets, experiments, reports) is in
 * src/index.ts / src/node.ts only: in a browser, move weights as bytes (getWeights → encodeSafetensors, decodeSafetensors
 * → setWeights).
 */
import * as tf from '@tensorflow/tfjs';
import { installKernels, tunedKernels, type Kernels } from './kernels/index';
import { hostGatherRows } from './kernels/tuned/gather-rows';

export * from './util/rng';
export * from './util/blob';
export * from './util/safetensors';
export * from './kernels/index';
export * from './positions/index';
export * from './losses/index';
export * from './encodings/index';
export { linearTaps, cubicTaps, tapsMatrix, resizeLinear1d, resizeBicubic2d, type Taps } from './encodings/interpolate';
export * from './models/index';
// Both layers name a `dropout`: the public one is the models' training dropout (rate, training flag, run Rng).
export { dropout } from './models/index';
export * from './train/adamw';
export * from './train/schedule';
export * from './train/clip';
export * from './train/encoding-task';
export * from './eval/similarity';

/** tfjs backends a page can run on, in the default order of preference. */
export type BrowserBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BROWSER_BACKENDS: readonly BrowserBackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BrowserBackendInfo {
  /** tfjs backend name actually in use. */
  name: BrowserBackendName;
  /** Name of the kernel set installed for it (src/kernels). */
  kernels: string;
  /** The backends tried before it, each with why it was not used. */
  skipped: { name: BrowserBackendName; why: string }[];
}

/**
 * Picks the first of `prefer` whose tfjs backend is registered and initialises, installs the matching kernel set, and
 * says what it chose. WebGL and cpu come with @tensorflow/tfjs; WebGPU and wasm only if the page imported
 * @tensorflow/tfjs-backend-webgpu / -wasm first (this entry does not, so a page that does not want them does not carry
 * them). An unknown name, or no usable backend, is an error naming what was tried.
 */
export async function initBrowserBackend(prefer: readonly string[] = BROWSER_BACKENDS): Promise<BrowserBackendInfo> {
  if (prefer.length === 0) throw new Error(`initBrowserBackend: no backend given; expected some of ${BROWSER_BACKENDS.join(', ')}`);
  for (const n of prefer) {
    if (!(BROWSER_BACKENDS as readonly string[]).includes(n)) {
      throw new Error(`initBrowserBackend: ${JSON.stringify(n)} is not a browser backend; expected one of ${BROWSER_BACKENDS.join(', ')}`);
    }
  }
  const skipped: BrowserBackendInfo['skipped'] = [];
  for (const name of prefer as readonly BrowserBackendName[]) {
    if (!tf.findBackendFactory(name)) {
      skipped.push({ name, why: 'not registered (its tfjs backend package was not imported)' });
      continue;
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      skipped.push({ name, why: `failed to initialise: ${(e as Error).message}` });
      continue;
    }
    if (!ok) {
      skipped.push({ name, why: 'failed to initialise (e.g. no WebGL/WebGPU adapter in this browser)' });
      continue;
    }
    await tf.ready();
    // Host-memory engines copy rows in JS (as src/backend.ts does for cpu and wasm); GPU engines gather on the device.
    const set: Kernels = name === 'cpu' || name === 'wasm' ? { ...tunedKernels, name: 'tuned+host-gather', gatherRows: hostGatherRows } : tunedKernels;
    installKernels(set);
    return { name, kernels: set.name, skipped };
  }
  throw new Error(`initBrowserBackend: none of ${prefer.join(', ')} could be used: ${skipped.map((s) => `${s.name} ${s.why}`).join('; ')}`);
}
