/**
 * The WebGPU engine's one-time set-up: Dawn (the npm package `webgpu`) as `navigator.gpu`, a device with the adapter's
 * limits, then tfjs-backend-webgpu on top (engine-notes §6, docs gpu-recipe). Order matters:
 *
 *   1. load `dawn.node` directly (the package entry is ESM; this project is CommonJS) and copy its globals
 *      (GPUBufferUsage, …) onto globalThis;
 *   2. create the GPU with `backend=vulkan` (plus the recipe's extra toggles when SEQPE_WEBGPU_FAST=1);
 *   3. wrap requestAdapter so every requestDevice asks for the adapter's maxStorageBuffersPerShaderStage (tfjs asks for
 *      the default 8, and kernels with more inputs then return garbage silently);
 *   4. define navigator.gpu BEFORE requiring @tensorflow/tfjs-backend-webgpu: it registers its backend at import only if
 *      it sees one.
 *
 * Nothing here falls back silently: no dawn.node, no Vulkan loader, or no adapter is an error naming what is missing
 * (src/backend.ts turns it into the SEQPE_BACKEND=webgpu message). A software adapter for machines without a GPU:
 * `bash scripts/setup-lavapipe.sh`, then `eval "$(bash scripts/setup-lavapipe.sh --env)"` before starting node (the
 * Vulkan loader is found through LD_LIBRARY_PATH, which is read only at process start).
 */
import * as fs from 'fs';
import * as path from 'path';

/** What the device runs on, for every run's provenance. */
export interface WebGPUAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Vulkan driver ICD file in use (VK_DRIVER_FILES / VK_ICD_FILENAMES), or 'system default'. */
  icd: string;
  /** The limits the device was created with (the ones this project depends on). */
  maxStorageBuffersPerShaderStage: number;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Dawn toggles passed at creation. */
  dawnOptions: string[];
}

/** Dawn toggles that helped one configuration by 30 % on the H200 (gpu-recipe; elsewhere within noise). */
export const FAST_DAWN_OPTIONS = [
  'enable-dawn-features=allow_unsafe_apis,disable_robustness,skip_validation,disable_lazy_clear_for_mapped_at_creation_buffer',
];

interface DawnModule {
  create(options: string[]): { requestAdapter(o?: unknown): Promise<GPUAdapterLike | null> };
  globals: Record<string, unknown>;
}
type DeviceRequest = { requiredLimits?: Record<string, number> } & Record<string, unknown>;
interface GPUAdapterLike {
  limits: Record<string, number>;
  info?: Record<string, string>;
  requestDevice(d?: DeviceRequest): Promise<GPUDeviceLike>;
}
export interface GPUDeviceLike {
  limits: Record<string, number>;
  destroy(): void;
}

/** Path of Dawn's native addon: SEQPE_DAWN_NODE, else the `webgpu` package's linux/darwin/win32 build. */
export function dawnNodePath(): string {
  const forced = process.env.SEQPE_DAWN_NODE;
  if (forced) {
    if (!fs.existsSync(forced)) throw new Error(`SEQPE_DAWN_NODE=${forced} does not exist (expected the path of dawn.node)`);
    return forced;
  }
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('webgpu/package.json'));
  } catch {
    throw new Error("the npm package 'webgpu' (Dawn for Node, an optional dependency) is not installed");
  }
  const plat = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
  const p = path.join(pkgDir, 'dist', plat, 'dawn.node');
  if (!fs.existsSync(p)) throw new Error(`the 'webgpu' package has no Dawn build for ${plat} (looked for ${p})`);
  return p;
}

let setup: Promise<WebGPUAdapterInfo> | undefined;

/**
 * Steps 1–4 above, once per process; resolves to the adapter's description. Call before loading the tfjs backend.
 * The device that tfjs creates later goes through the wrapped requestAdapter, so it gets the same limits.
 */
export function installNavigatorGpu(): Promise<WebGPUAdapterInfo> {
  if (!setup) setup = doSetup();
  return setup;
}

async function doSetup(): Promise<WebGPUAdapterInfo> {
  const file = dawnNodePath();
  // A computed path keeps bundlers from trying to inline the native addon.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dawn = (require as NodeRequire)(file) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const dawnOptions = ['backend=vulkan', ...(process.env.SEQPE_WEBGPU_FAST === '1' ? FAST_DAWN_OPTIONS : [])];
  const gpu = dawn.create(dawnOptions);
  const probe = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const icd = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES || 'system default';
  if (!probe) {
    throw new Error(
      `Dawn found no Vulkan adapter (ICD: ${icd}). On a machine without a GPU: bash scripts/setup-lavapipe.sh, then ` +
        `eval "$(bash scripts/setup-lavapipe.sh --env)" before starting node; with a GPU: install the vendor's Vulkan ` +
        'driver and libvulkan1, or point VK_DRIVER_FILES at its ICD json',
    );
  }
  const wanted = (a: GPUAdapterLike): Record<string, number> => ({
    maxStorageBuffersPerShaderStage: a.limits.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
    maxBufferSize: a.limits.maxBufferSize,
  });
  // Every device tfjs (or anyone) requests gets the adapter's limits, on top of whatever the caller asked for.
  const origRequestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (o?: unknown) => {
    const a = await origRequestAdapter(o);
    if (!a) return a;
    const origRequestDevice = a.requestDevice.bind(a);
    a.requestDevice = (d: DeviceRequest = {}) => origRequestDevice({ ...d, requiredLimits: { ...(d.requiredLimits ?? {}), ...wanted(a) } });
    return a;
  };
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const info = probe.info ?? {};
  const lim = wanted(probe);
  return {
    vendor: String(info.vendor ?? ''),
    architecture: String(info.architecture ?? ''),
    device: String(info.device ?? ''),
    description: String(info.description ?? ''),
    icd,
    maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
    maxBufferSize: lim.maxBufferSize,
    dawnOptions,
  };
}
