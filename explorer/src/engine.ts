/**
 * The page's engine: WebGPU where the browser offers an adapter, else hardware WebGL, else wasm (SIMD), else the
 * pure-JS cpu backend; `?backend=webgpu|webgl|wasm|cpu` forces one and fails clearly when it is not available.
 * A WebGL context drawn by a software renderer (SwiftShader, llvmpipe: headless and GPU-less browsers) is skipped in
 * the automatic choice, since wasm is several times faster there; forcing `?backend=webgl` still uses it.
 * The library's src/backend.ts is the Node twin of this file (it requires packages and reads process.env, which a page
 * has not); the kernel sets follow its table: wasm gets tuned + wasm-js, cpu tuned + host gathers, the GPU engines tuned.
 */
import { tf, hostGatherRows, installKernels, setWasmPaths, tunedKernels, wasmJsKernels, type Kernels } from './lib';

export type PageBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const PAGE_BACKENDS: readonly PageBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface EngineInfo {
  name: PageBackend;
  /** Why earlier choices were skipped (shown in the page, so a software-only browser says so). */
  skipped: string[];
  kernels: string;
  /** The WebGL renderer string, when WebGL was looked at. */
  renderer?: string;
}

/** The WebGL renderer's name (unmasked where the browser allows), or undefined without WebGL. */
export function webglRenderer(): string | undefined {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (!gl) return undefined;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software/i;

async function tryBackend(name: PageBackend, forced: boolean, info: { renderer?: string }): Promise<string | undefined> {
  try {
    if (name === 'webgpu') {
      const nav = navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } };
      if (!nav.gpu) return 'navigator.gpu is absent';
      // Only an adapter means a device: headless and blocklisted browsers expose navigator.gpu without one.
      if (!(await nav.gpu.requestAdapter())) return 'navigator.gpu offers no adapter';
      await import('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu'
    }
    if (name === 'webgl') {
      info.renderer = webglRenderer();
      if (info.renderer === undefined) return 'no WebGL context';
      if (!forced && SOFTWARE_GL.test(info.renderer)) return `software renderer (${info.renderer}); wasm is faster`;
    }
    if (name === 'wasm') setWasmPaths('./'); // the build copies tfjs-backend-wasm's .wasm files next to app.js
    if (!(await tf.setBackend(name))) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    // A trivial op proves the engine really works (WebGL can register and then fail on first use).
    const s = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    if (s !== 3) return `1 + 2 gave ${s}`;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function kernelsFor(name: PageBackend): Kernels {
  if (name === 'wasm') return wasmJsKernels(tunedKernels);
  if (name === 'cpu') return { ...tunedKernels, name: 'tuned+host-gather', gatherRows: hostGatherRows };
  return tunedKernels;
}

/** Picks and initialises the engine once; `forced` comes from the page's ?backend= parameter. */
export async function initEngine(forced?: string | null): Promise<EngineInfo> {
  tf.enableProdMode();
  if (forced && !(PAGE_BACKENDS as readonly string[]).includes(forced)) {
    throw new Error(`backend=${JSON.stringify(forced)} is not a backend; expected one of ${PAGE_BACKENDS.join(', ')}`);
  }
  const order: PageBackend[] = forced ? [forced as PageBackend] : [...PAGE_BACKENDS];
  const skipped: string[] = [];
  const seen: { renderer?: string } = {};
  for (const name of order) {
    const why = await tryBackend(name, !!forced, seen);
    if (why === undefined) {
      const set = kernelsFor(name);
      installKernels(set);
      return { name, skipped, kernels: set.name, renderer: seen.renderer };
    }
    skipped.push(`${name}: ${why}`);
  }
  throw new Error(`no TensorFlow.js backend could be initialised (${skipped.join('; ')})`);
}
