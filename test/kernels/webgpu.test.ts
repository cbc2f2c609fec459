/**
 * The WebGPU engine on a software Vulkan adapter (Mesa's lavapipe, installed project-locally by
 * scripts/setup-lavapipe.sh; CI runs it after setup.sh). Each engine runs scripts/gpu/parity.ts in its own process:
 * the Vulkan loader is found through LD_LIBRARY_PATH, which only takes effect when a process starts.
 *
 * Checked: the same tiny LM (APE, SeqPE with both objectives) and ViT (SeqPE q/k gates), 10 steps each, give the same
 * losses on webgpu as on wasm (to 1e-4) and the same evaluation numbers, with no tensor left alive; and tfjs's buffer
 * pool, which grows without bound under SeqPE's changing shapes, stops growing with the per-step trim.
 * Without lavapipe (no .cache/lavapipe/lvp_icd.json) the tests are skipped with the reason printed.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const ICD = path.join(ROOT, '.cache', 'lavapipe', 'lvp_icd.json');
const HAVE = fs.existsSync(ICD);
if (!HAVE) console.log(`webgpu tests skipped: no software Vulkan adapter at ${ICD} (run: bash scripts/setup-lavapipe.sh)`);

function lavapipeEnv(): NodeJS.ProcessEnv {
  const lib = path.join(ROOT, '.cache', 'lavapipe', 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  return {
    VK_DRIVER_FILES: ICD,
    VK_ICD_FILENAMES: ICD,
    LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function probe(backend: 'wasm' | 'webgpu', args: string[] = [], extra: NodeJS.ProcessEnv = {}): any {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'gpu', 'parity.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...(backend === 'webgpu' ? lavapipeEnv() : {}), ...extra, SEQPE_BACKEND: backend },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe.skipIf(!HAVE)('WebGPU engine on lavapipe', () => {
  it('trains the tiny LM (APE, SeqPE full) and ViT (SeqPE) with wasm\'s losses to 1e-4 and evaluates the same, leak-free', () => {
    const gpu = probe('webgpu');
    const cpu = probe('wasm');
    expect(gpu.backend).toMatch(/^backend: webgpu .*adapter .*llvmpipe.*16 storage buffers\/stage/);
    expect(cpu.backend).toMatch(/^backend: wasm/);
    for (const k of ['lmApe', 'lmSeqpe', 'vitSeqpe']) {
      expect(gpu[k].losses).toHaveLength(10);
      gpu[k].losses.forEach((l: number, i: number) => expect(Math.abs(l - cpu[k].losses[i]), `${k} step ${i + 1}`).toBeLessThan(1e-4));
      // the runs learn: a non-trivial sequence, not ten copies of one number
      expect(new Set(gpu[k].losses.map((l: number) => l.toFixed(4))).size).toBeGreaterThan(5);
      expect(gpu[k].tensorsAfter, `${k} tensors left`).toBe(gpu[k].tensorsBefore);
    }
    // LM APE and SeqPE fall over 10 steps (lr 3e-3); the ViT's 10 steps are too few to say
    expect(gpu.lmApe.losses[9]).toBeLessThan(gpu.lmApe.losses[0] - 0.5);
    expect(gpu.lmSeqpe.losses[9]).toBeLessThan(gpu.lmSeqpe.losses[0] - 0.5);
    gpu.lmApe.evalNll.forEach((v: number, i: number) => expect(Math.abs(v - cpu.lmApe.evalNll[i])).toBeLessThan(1e-4));
    gpu.lmSeqpe.evalNll.forEach((v: number, i: number) => expect(Math.abs(v - cpu.lmSeqpe.evalNll[i])).toBeLessThan(1e-4));
    expect(gpu.vitSeqpe.evalCorrect).toEqual(cpu.vitSeqpe.evalCorrect);
  }, 1_800_000);

  it('bounds the GPU buffer pool under SeqPE\'s changing shapes: untrimmed it grows every step, trimmed it stops', () => {
    const steps = 30;
    const trimmed = probe('webgpu', ['--pool-steps', String(steps)]).pool as Array<{ free: number; bytes: number }>;
    const raw = probe('webgpu', ['--pool-steps', String(steps)], { SEQPE_WEBGPU_NO_TRIM: '1' }).pool as Array<{ free: number; bytes: number }>;
    expect(trimmed).toHaveLength(steps);
    expect(raw).toHaveLength(steps);
    const half = steps / 2;
    const maxOf = (xs: Array<{ bytes: number }>, from: number, to: number) => Math.max(...xs.slice(from, to).map((x) => x.bytes));
    // tfjs's own pool keeps every shape it ever saw: ~10× the first step's bytes after 30 steps (measured 12.5 → 121 MB)
    expect(raw[steps - 1].bytes).toBeGreaterThan(5 * raw[0].bytes);
    expect(raw[steps - 1].bytes).toBeGreaterThan(maxOf(raw, 0, half));
    // trimmed, it moves within a band set by the current step's shapes (measured 9.8–14.0 MB): the second half's peak stays
    // within 25 % of the first half's, and far below the untrimmed pool
    expect(maxOf(trimmed, half, steps)).toBeLessThanOrEqual(1.25 * maxOf(trimmed, 0, half));
    expect(trimmed[steps - 1].bytes).toBeLessThan(0.25 * raw[steps - 1].bytes);
  }, 1_800_000);
});
