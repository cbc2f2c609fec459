/**
 * SEQPE_STOP_AT (src/train/paused.ts): a run that reaches its process deadline writes a checkpoint and stops with
 * TrainingPausedError; resumed in a new Trainer it continues exactly as an uninterrupted run (same losses, same weights).
 * Also: the async step path (stepAsync, saveAsync) gives the sync path's numbers on wasm.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/backend';
import { createEncoding } from '../../src/encodings/index';
import { CausalLM } from '../../src/models/causal-lm';
import { Trainer } from '../../src/train/loop';
import { stopDeadline, TrainingPausedError } from '../../src/train/paused';
import { lmTask } from '../../src/train/tasks';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await initBackend('wasm');
});
afterEach(() => {
  delete process.env.SEQPE_STOP_AT;
});

const r = new Rng(4);
const tokens = Int32Array.from({ length: 4000 }, () => Math.floor(r.next() * 256));

function make(file?: string, steps = 6) {
  const enc = createEncoding({ name: 'ape', trainLength: 16 }, { dModel: 16, heads: 2, layers: 1 }, 7);
  const model = new CausalLM({ vocab: 256, dModel: 16, layers: 1, heads: 2, seed: 1 }, enc);
  const t = new Trainer(model, lmTask({ tokens, batch: 2, time: 16 }), {
    steps, seed: 3, lr: 3e-3, progress: { mode: 'silent' },
    ...(file ? { checkpoint: { path: file, every: 100 }, resumeFrom: 'auto' as const } : {}),
  });
  return { t, model, enc };
}

describe('process deadline (SEQPE_STOP_AT) and the async step', () => {
  it('stepAsync gives stepOnce\'s losses and weights exactly (wasm)', async () => {
    const a = make();
    const b = make();
    for (let i = 0; i < 4; i++) expect((await a.t.stepAsync()).loss).toBe(b.t.stepOnce().loss);
    const wa = a.model.params.getWeights();
    const wb = await b.model.params.getWeightsAsync();
    for (const [k, v] of wa) expect(Array.from(wb.get(k)!.data), k).toEqual(Array.from(v.data));
    const sa = a.t.optimizer.getState();
    const sb = await b.t.optimizer.getStateAsync();
    for (const [k, v] of sa.m) expect(Array.from(sb.m.get(k)!.data), k).toEqual(Array.from(v.data));
    for (const x of [a, b]) { x.t.dispose(); x.model.dispose(); x.enc.dispose(); }
  });

  it('pauses with a checkpoint at the deadline, and the resumed run equals an uninterrupted one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-pause-'));
    const file = path.join(dir, 'ck.bin');
    const whole = make();
    const full = await whole.t.run();
    process.env.SEQPE_STOP_AT = String(Date.now() - 1); // already passed: stop after the first step
    const first = make(file);
    let err: unknown;
    try {
      await first.t.run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainingPausedError);
    expect((err as TrainingPausedError).step).toBe(1);
    expect((err as Error).message).toMatch(/paused at step 1 of 6 .*ck\.bin resumes it/);
    expect(fs.existsSync(file)).toBe(true);
    delete process.env.SEQPE_STOP_AT;
    const second = make(file);
    const rest = await second.t.run();
    expect(rest.startStep).toBe(1);
    const losses = [first.t.reports[0].loss, ...rest.reports.map((x) => x.loss)];
    expect(losses).toEqual(full.reports.map((x) => x.loss));
    const w1 = whole.model.params.getWeights();
    const w2 = second.model.params.getWeights();
    for (const [k, v] of w1) expect(Array.from(w2.get(k)!.data), k).toEqual(Array.from(v.data));
    for (const x of [whole, first, second]) { x.t.dispose(); x.model.dispose(); x.enc.dispose(); }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a malformed deadline and a deadline without a checkpoint path, naming the value', async () => {
    expect(stopDeadline(undefined)).toBeUndefined();
    expect(stopDeadline('')).toBeUndefined();
    expect(stopDeadline('1700000000000')).toBe(1700000000000);
    expect(() => stopDeadline('soon')).toThrow(/SEQPE_STOP_AT="soon" is not a time; expected epoch milliseconds/);
    expect(() => stopDeadline('-5')).toThrow(/"-5"/);
    process.env.SEQPE_STOP_AT = String(Date.now() + 60_000);
    const x = make();
    await expect(x.t.run()).rejects.toThrow(/SEQPE_STOP_AT is set but this run has no checkpoint path/);
    x.t.dispose(); x.model.dispose(); x.enc.dispose();
  });
});
