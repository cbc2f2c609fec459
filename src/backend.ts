/**
 * The one place that picks the TensorFlow.js engine.
 *
 * Order of preference: tfjs-node-gpu ('tensorflow', also runs on CPU threads without a GPU), then @tensorflow/tfjs-node
 * if a user installed it, then wasm (SIMD, single-threaded in Node), then the pure-JS cpu backend.
 * `SEQPE_BACKEND=<tensorflow|wasm|cpu|webgpu>` forces one and fails clearly when it is not available.
 *
 * `webgpu` (tfjs-backend-webgpu on Dawn, the npm package `webgpu`) is never chosen automatically: it is explicit, so that
 * a machine with a Vulkan driver does not silently change the engine (and the float rounding) of every run. Its set-up
 * (src/kernels/webgpu/adapter.ts) installs navigator.gpu with the adapter's limits before the backend loads; values are
 * then read asynchronously only (dataSync throws in Node on webgpu), AddN is chunked below the storage-buffer limit,
 * and the buffer pool is trimmed after every training step (engineStepEnd). Dawn keeps the process alive, so the engine
 * ends the process once the event loop has nothing else to do (see endProcessWhenIdle).
 *
 * Picking the engine also installs its kernel set (src/kernels/index.ts): this file is the only place that knows which
 * engine runs; every call site just calls the kernels.
 *
 * `SEQPE_KERNELS=fused` (opt-in, wasm only) installs fusedWasmKernels(tuned + wasm-js) instead: the fused wasm kernels of
 * src/kernels/wasm/ replace LayerNorm, GELU, the attention softmax and the cross-entropy. It is not the default: in the
 * issue-9 measurements (scripts/bench.ts, scripts/profile-fused.ts) it did not measurably speed up a training step, and
 * it changes float rounding (row statistics in float64), so losses differ from the default set's in the last digits.
 * `SEQPE_KERNELS=default` (or unset) keeps the engine's own set. Any other value, or `fused` on an engine other than
 * wasm, fails with an error naming it.
 */
import * as tf from '@tensorflow/tfjs';
import { installKernels, type Kernels, setSyncReads, tunedKernels } from './kernels/index';
import { hostGatherRows } from './kernels/tuned/gather-rows';
import { wasmJsKernels } from './kernels/wasm-js/index';
import { setAddNLimit } from './kernels/add-n';
import { installNavigatorGpu, type WebGPUAdapterInfo } from './kernels/webgpu/adapter';
import { attachWebGPUEngine, trimPool } from './kernels/webgpu/engine';
import {
  gelu as fusedGelu,
  layerNorm as fusedLayerNorm,
  maskedSoftmax,
  softmaxCrossEntropy as fusedSoftmaxCrossEntropy,
} from './kernels/wasm/index';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'webgpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu', 'webgpu'];
/** Tried in this order when no backend is forced (webgpu is explicit only, see above). */
const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Values of SEQPE_KERNELS: the engine's own set, or (wasm only) the fused set. */
export type KernelChoice = 'default' | 'fused';
export const KERNEL_CHOICES: readonly KernelChoice[] = ['default', 'fused'];

/** The fused wasm kernels' LayerNorm has ε fixed at this value (src/kernels/wasm/layer-norm.ts). */
const FUSED_LN_EPS = 1e-5;

/**
 * `base` with the members that src/kernels/wasm/ implements replaced by its fused kernels (wasm engine only; they throw
 * on any other). Where a call falls outside what a fused kernel does, the base member runs instead, so the set keeps the
 * whole Kernels contract: a LayerNorm ε other than 1e-5 (the SeqPE encoder's lnEps is configurable), and a softmax mask
 * whose last two dims are not the logits' (the fused kernel broadcasts leading dims only). AdamW's fused step is not a
 * Kernels member (the optimiser calls no kernel set) and is not part of this set.
 */
export function fusedWasmKernels(base: Kernels): Kernels {
  return {
    ...base,
    name: `${base.name}+wasm-fused`,
    layerNorm: (x, gamma, beta, eps) =>
      eps === undefined || eps === FUSED_LN_EPS ? fusedLayerNorm(x, gamma, beta) : base.layerNorm(x, gamma, beta, eps),
    gelu: fusedGelu,
    softmax: (logits, mask) => {
      if (!mask) return maskedSoftmax(logits, null);
      const r = logits.rank;
      if (mask.rank > r || mask.rank < 2) return base.softmax(logits, mask);
      // [Sq, Sk] or [H, Sq, Sk] → [1, …, Sq, Sk]: same broadcast as tf.add, in the rank the fused kernel expects.
      const m = mask.rank === r ? mask : mask.reshape([...new Array<number>(r - mask.rank).fill(1), ...mask.shape]);
      const fits = m.shape.every((s, a) => (a >= r - 2 ? s === logits.shape[a] : s === logits.shape[a] || s === 1));
      // No dispose of a reshaped m here: the backward pass of the mask's gradient may still need it (call sites run
      // inside tidy/grad scopes, which free it).
      return fits ? maskedSoftmax(logits, m) : base.softmax(logits, mask);
    },
    softmaxCrossEntropy: fusedSoftmaxCrossEntropy,
  };
}

function parseKernelChoice(value: string | undefined): KernelChoice {
  if (value === undefined || value === '') return 'default';
  if (!(KERNEL_CHOICES as readonly string[]).includes(value)) {
    throw new Error(`SEQPE_KERNELS=${JSON.stringify(value)} is not a kernel choice; expected one of ${KERNEL_CHOICES.join(', ')} (or unset)`);
  }
  return value as KernelChoice;
}

export interface BackendInfo {
  /** tfjs backend name actually in use. */
  name: BackendName;
  /** npm package that supplied it. */
  package: string;
  /** Whether wasm SIMD is in use (wasm only). */
  simd?: boolean;
  /** Threads the engine uses for one op (wasm in Node: always 1). */
  threads?: number;
  /** Name of the kernel set installed for this engine (src/kernels). */
  kernels: string;
  /** The GPU adapter and driver (webgpu only), for provenance. */
  adapter?: WebGPUAdapterInfo;
}

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

function tryRequire(name: string): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(name);
    return true;
  } catch {
    return false;
  }
}

async function tryNative(): Promise<BackendInfo | undefined> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    // danfojs-node's override aliases @tensorflow/tfjs-node to plain tfjs, which registers no 'tensorflow' backend:
    // so a successful require is not enough, the backend must really exist afterwards.
    if (tryRequire(pkg) && tf.findBackendFactory('tensorflow') && (await tf.setBackend('tensorflow'))) {
      return { name: 'tensorflow', package: pkg, kernels: install(tunedKernels) };
    }
  }
  return undefined;
}

async function tryWasm(choice: KernelChoice): Promise<BackendInfo | undefined> {
  if (!tryRequire('@tensorflow/tfjs-backend-wasm')) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) return undefined;
  await tf.ready(); // the JS kernels read the initialised backend's internals
  return {
    name: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    simd: Boolean(tf.env().getAsync ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : undefined),
    threads: typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : 1,
    kernels: install(choice === 'fused' ? fusedWasmKernels(wasmJsKernels(tunedKernels)) : wasmJsKernels(tunedKernels)),
  };
}

async function tryCpu(): Promise<BackendInfo | undefined> {
  if (!(await tf.setBackend('cpu'))) return undefined;
  // cpu tensors live in host memory, like wasm's: rows are copied in JS rather than by the element-wise Gather kernel.
  return { name: 'cpu', package: '@tensorflow/tfjs (cpu)', kernels: install({ ...tunedKernels, name: 'tuned+host-gather', gatherRows: hostGatherRows }) };
}

async function tryWebGPU(): Promise<BackendInfo | undefined> {
  // Set-up errors (no dawn.node, no adapter) name what is missing: rethrown as the SEQPE_BACKEND=webgpu message.
  const adapter = await installNavigatorGpu();
  try {
    // A literal require (not tryRequire's variable one) so that bundlers include the backend (scripts/gpu/pack.sh).
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    throw new Error(`the optional dependency '@tensorflow/tfjs-backend-webgpu' could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  if (process.env.SEQPE_WEBGPU_FAST === '1') tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 64);
  if (!(await tf.setBackend('webgpu'))) return undefined;
  await tf.ready();
  const be = tf.backend() as unknown as { device: { limits: Record<string, number> } };
  attachWebGPUEngine(be);
  // One AddN binds its inputs and its output as storage buffers: at most limit − 1 inputs (engine-notes §6).
  setAddNLimit(Math.max(2, be.device.limits.maxStorageBuffersPerShaderStage - 1));
  return {
    name: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu + webgpu (Dawn, Vulkan)',
    adapter,
    kernels: install({ ...tunedKernels, name: 'tuned (webgpu)' }),
  };
}

let exitHookInstalled = false;
/**
 * Dawn holds a handle that keeps Node's event loop alive after the program's own work is done. A watchdog (unref'ed,
 * so it never keeps the process alive itself) ends the process with its exit code once only Dawn's handles remain.
 */
function endProcessWhenIdle(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const baseline = activeHandleCount();
  const t = setInterval(() => {
    if (activeHandleCount() <= baseline) process.exit(process.exitCode ?? 0);
  }, 200);
  t.unref();
}
function activeHandleCount(): number {
  const p = process as unknown as { getActiveResourcesInfo?: () => string[] };
  return p.getActiveResourcesInfo ? p.getActiveResourcesInfo().filter((r) => r !== 'Timeout').length : 0;
}

/**
 * Called by the training loop after each step's one host read: on webgpu, destroys pooled GPU buffers of shapes the
 * step did not use (src/kernels/webgpu/engine.ts); elsewhere nothing.
 */
export function engineStepEnd(): void {
  // SEQPE_WEBGPU_NO_TRIM=1 keeps tfjs's unbounded pool (for the test that shows why the trim exists).
  if (current?.name === 'webgpu' && process.env.SEQPE_WEBGPU_NO_TRIM !== '1') trimPool();
}

/** Installs `set` for every call site and returns its name. */
function install(set: Kernels): string {
  installKernels(set);
  return set.name;
}

const TRIERS: Record<BackendName, (choice: KernelChoice) => Promise<BackendInfo | undefined>> = {
  tensorflow: tryNative,
  wasm: tryWasm,
  cpu: tryCpu,
  webgpu: tryWebGPU,
};

/** The kernel choice the current engine was initialised with. */
let currentChoice: KernelChoice = 'default';

/**
 * Initialise the engine once per process and return what is in use. Call (and await) before creating any tensor.
 * @param forced a backend name; defaults to the SEQPE_BACKEND environment variable, else automatic choice.
 * @param kernelChoice 'default' or 'fused' (wasm only); defaults to the SEQPE_KERNELS environment variable, else 'default'.
 */
export function initBackend(
  forced: string | undefined = process.env.SEQPE_BACKEND,
  kernelChoice: string | undefined = process.env.SEQPE_KERNELS,
): Promise<BackendInfo> {
  let choice: KernelChoice;
  try {
    choice = parseKernelChoice(kernelChoice);
  } catch (e) {
    return Promise.reject(e);
  }
  if (current && (!forced || forced === current.name) && choice === currentChoice) return Promise.resolve(current);
  if (current && ((forced && forced !== current.name) || choice !== currentChoice)) {
    // Switching inside one process is allowed (tests compare engines and kernel sets), but is explicit.
    pending = undefined;
  }
  if (!pending) pending = choose(forced, choice);
  return pending;
}

async function choose(forced: string | undefined, choice: KernelChoice): Promise<BackendInfo> {
  tf.enableProdMode(); // silences the cpu banner and skips per-op NaN checks
  let info: BackendInfo | undefined;
  if (choice === 'fused' && forced && forced !== 'wasm') {
    throw new Error(`SEQPE_KERNELS=fused needs the wasm engine, but SEQPE_BACKEND=${JSON.stringify(forced)} was requested`);
  }
  if (forced) {
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new Error(`SEQPE_BACKEND=${JSON.stringify(forced)} is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
    }
    try {
      info = await TRIERS[forced as BackendName](choice);
    } catch (e) {
      throw new Error(`SEQPE_BACKEND=${forced} was requested but is not available here: ${(e as Error).message}`);
    }
    if (!info) {
      const hint = forced === 'tensorflow'
        ? 'install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (both need to download libtensorflow at install time)'
        : `the package for '${forced}' failed to load`;
      throw new Error(`SEQPE_BACKEND=${forced} was requested but is not available here: ${hint}`);
    }
  } else {
    for (const name of AUTO_ORDER) {
      info = await TRIERS[name](choice);
      if (info) break;
    }
    if (!info) throw new Error('no TensorFlow.js backend could be initialised (tried tensorflow, wasm, cpu)');
    if (choice === 'fused' && info.name !== 'wasm') {
      throw new Error(`SEQPE_KERNELS=fused needs the wasm engine, but the automatic choice is '${info.name}' (set SEQPE_BACKEND=wasm)`);
    }
  }
  await tf.ready();
  setSyncReads(info.name !== 'webgpu');
  current = info;
  currentChoice = choice;
  return info;
}

/** The engine in use; throws if initBackend() has not completed. */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('backend not initialised: await initBackend() first');
  return current;
}

/** One line for logs: "backend: wasm (@tensorflow/tfjs-backend-wasm, SIMD, 1 thread)". */
export function describeBackend(info: BackendInfo = backendInfo()): string {
  const extras: string[] = [info.package];
  if (info.simd !== undefined) extras.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.threads !== undefined) extras.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.adapter) extras.push(`adapter ${describeAdapter(info.adapter)}`);
  extras.push(`kernels ${info.kernels}`);
  return `backend: ${info.name} (${extras.join(', ')})`;
}

/** "nvidia hopper (NVIDIA H200), driver NVIDIA: 580.159.04, ICD …, 16 storage buffers" — one line of provenance. */
export function describeAdapter(a: WebGPUAdapterInfo): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown vendor';
  const parts = [`${name}${a.device ? ` (${a.device})` : ''}`];
  if (a.description) parts.push(`driver ${a.description}`);
  parts.push(`ICD ${a.icd}`);
  parts.push(`${a.maxStorageBuffersPerShaderStage} storage buffers/stage`);
  if (a.dawnOptions.length > 1) parts.push(`dawn ${a.dawnOptions.slice(1).join(' ')}`);
  return parts.join(', ');
}
