/**
 * The one place that picks the TensorFlow.js engine.
 *
 * Order of preference: tfjs-node-gpu ('tensorflow', also runs on CPU threads without a GPU), then @tensorflow/tfjs-node
 * if a user installed it, then wasm (SIMD, single-threaded in Node), then the pure-JS cpu backend.
 * `SEQPE_BACKEND=<tensorflow|wasm|cpu>` forces one and fails clearly when it is not available.
 *
 * Picking the engine also installs its kernel set (src/kernels/index.ts): this file is the only place that knows which
 * engine runs; every call site just calls the kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { installKernels, type Kernels, tunedKernels } from './kernels/index';
import { hostGatherRows } from './kernels/tuned/gather-rows';
import { wasmJsKernels } from './kernels/wasm-js/index';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

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

async function tryWasm(): Promise<BackendInfo | undefined> {
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
    kernels: install(wasmJsKernels(tunedKernels)),
  };
}

async function tryCpu(): Promise<BackendInfo | undefined> {
  if (!(await tf.setBackend('cpu'))) return undefined;
  // cpu tensors live in host memory, like wasm's: rows are copied in JS rather than by the element-wise Gather kernel.
  return { name: 'cpu', package: '@tensorflow/tfjs (cpu)', kernels: install({ ...tunedKernels, name: 'tuned+host-gather', gatherRows: hostGatherRows }) };
}

/** Installs `set` for every call site and returns its name. */
function install(set: Kernels): string {
  installKernels(set);
  return set.name;
}

const TRIERS: Record<BackendName, () => Promise<BackendInfo | undefined>> = {
  tensorflow: tryNative,
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Initialise the engine once per process and return what is in use. Call (and await) before creating any tensor.
 * @param forced a backend name; defaults to the SEQPE_BACKEND environment variable, else automatic choice.
 */
export function initBackend(forced: string | undefined = process.env.SEQPE_BACKEND): Promise<BackendInfo> {
  if (current && (!forced || forced === current.name)) return Promise.resolve(current);
  if (current && forced && forced !== current.name) {
    // Switching inside one process is allowed (tests compare engines), but is explicit.
    pending = undefined;
  }
  if (!pending) pending = choose(forced);
  return pending;
}

async function choose(forced: string | undefined): Promise<BackendInfo> {
  tf.enableProdMode(); // silences the cpu banner and skips per-op NaN checks
  let info: BackendInfo | undefined;
  if (forced) {
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new Error(`SEQPE_BACKEND=${JSON.stringify(forced)} is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
    }
    info = await TRIERS[forced as BackendName]();
    if (!info) {
      const hint = forced === 'tensorflow'
        ? 'install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (both need to download libtensorflow at install time)'
        : `the package for '${forced}' failed to load`;
      throw new Error(`SEQPE_BACKEND=${forced} was requested but is not available here: ${hint}`);
    }
  } else {
    for (const name of BACKEND_NAMES) {
      info = await TRIERS[name]();
      if (info) break;
    }
    if (!info) throw new Error('no TensorFlow.js backend could be initialised (tried tensorflow, wasm, cpu)');
  }
  await tf.ready();
  current = info;
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
  extras.push(`kernels ${info.kernels}`);
  return `backend: ${info.name} (${extras.join(', ')})`;
}
