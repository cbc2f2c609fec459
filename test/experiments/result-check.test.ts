/**
 * No null or NaN in results: a result is checked before it is written and whenever the cache reads it; a bad cached
 * result names its path and its run is planned (and trained) again; a run killed during evaluation resumes from its
 * finished checkpoint and writes the final training loss the checkpoint kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resultProblems } from '../../src/experiments/result-check';
import { readRunResult } from '../../src/experiments/cache';
import { writeResult } from '../../src/experiments/runners/common';
import { loadResults, planRuns, runExperiments } from '../../src/experiments/run';
import { getProfile } from '../../src/experiments/profiles';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-result-'));

const lm = () => ({
  kind: 'lm',
  label: 'NoPE',
  ppl: [{ length: 32, ppl: 12.5, nll: 2.526, tokens: 1000, chunks: 4 }],
  finalTrainLoss: 2.4,
  steps: 12,
  trainSeconds: 3.2,
  params: { total: 1000, pe: 0 },
  maps: [],
  awareness: { inside: null, beyond: null },
  collapse: null,
});
const qa = () => ({ kind: 'qa', label: 'ALiBi', byLength: [{ length: 128, em: 25, answerNll: 1.5, examples: 4 }], finalTrainLoss: 1.1, steps: 6, trainSeconds: 2 });
const vit = () => ({
  kind: 'vit',
  label: 'APE',
  accuracy: [{ size: 28, grid: 7, accuracy: 0.5, correct: 32, count: 64 }],
  finalTrainLoss: 1.9,
  steps: 12,
  trainSeconds: 4,
  params: { total: 5000, pe: 100 },
  maps: [],
  awareness: { train: 0.4, largest: 0.2 },
});

describe('result schema', () => {
  it('accepts sound results of each kind, with nulls only where the type allows them', () => {
    expect(resultProblems(lm(), 'lm')).toEqual([]);
    expect(resultProblems({ ...lm(), awareness: { inside: 0.5, beyond: -0.1, far: null } }, 'lm')).toEqual([]);
    expect(resultProblems(qa(), 'qa')).toEqual([]);
    expect(resultProblems(vit(), 'vit')).toEqual([]);
  });

  it('names NaN, ±∞, a null where a number belongs (NaN after JSON), missing fields and the wrong kind', () => {
    expect(resultProblems({ ...qa(), finalTrainLoss: NaN }, 'qa')).toEqual(['finalTrainLoss is NaN, expected a finite number']);
    const fromJson = JSON.parse(JSON.stringify({ ...qa(), finalTrainLoss: NaN }));
    expect(resultProblems(fromJson, 'qa')).toEqual(['finalTrainLoss is null where a value belongs (a NaN written as JSON?)']);
    const deep = lm();
    deep.ppl.push({ length: 64, ppl: Infinity, nll: 5, tokens: 10, chunks: 1 });
    expect(resultProblems(deep, 'lm')).toEqual([expect.stringMatching(/^ppl is malformed/), 'ppl[1].ppl is Infinity, expected a finite number']);
    const v = vit() as Record<string, unknown>;
    delete v.accuracy;
    expect(resultProblems(v, 'vit')).toEqual(['accuracy is missing']);
    expect(resultProblems(qa(), 'lm')[0]).toBe('kind is "qa", expected "lm"');
    expect(resultProblems({ ...qa(), steps: 0 }, 'qa')).toEqual(['steps is malformed (0)']);
    expect(resultProblems([1], 'qa')).toEqual(['the result is an array, expected an object']);
    // null is allowed at lm awareness, not at vit awareness
    expect(resultProblems({ ...vit(), awareness: { train: null, largest: 0.1 } }, 'vit')).toContain('awareness.train is null where a value belongs (a NaN written as JSON?)');
  });

  it('writeResult refuses a NaN final loss, naming the file, and writes nothing', () => {
    const dir = tmp();
    expect(() => writeResult(dir, { ...qa(), finalTrainLoss: NaN } as never)).toThrow(
      `${path.join(dir, 'result.json')}: not a valid qa result: finalTrainLoss is NaN, expected a finite number (not written; the checkpoint is kept, so a rerun resumes and evaluates again)`,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
    writeResult(dir, qa() as never);
    expect(readRunResult(dir, 'qa')).toMatchObject({ status: 'valid', result: qa() });
  });

  it('readRunResult: missing, unreadable JSON and invalid results are told apart, each with its path', () => {
    const dir = tmp();
    const file = path.join(dir, 'result.json');
    expect(readRunResult(dir, 'qa')).toEqual({ status: 'missing', file });
    fs.writeFileSync(file, '{"kind": "qa", ');
    expect(readRunResult(dir, 'qa')).toMatchObject({ status: 'invalid', file, problem: expect.stringMatching(/^unreadable JSON/) });
    fs.writeFileSync(file, JSON.stringify({ ...qa(), finalTrainLoss: null }));
    expect(readRunResult(dir, 'qa')).toMatchObject({ status: 'invalid', file, problem: expect.stringContaining('finalTrainLoss is null') });
  });
});

describe('the cache re-plans bad results; a kill during evaluation still yields a finite final loss', () => {
  let root: string;
  const saved = process.env.SEQPE_RESULTS_DIR;
  beforeAll(() => {
    root = tmp();
    process.env.SEQPE_RESULTS_DIR = root;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SEQPE_RESULTS_DIR;
    else process.env.SEQPE_RESULTS_DIR = saved;
  });

  it('a null finalTrainLoss in a cached result is named, not used, and the run is trained again; deleting result.json (kill during eval) resumes to the same loss', async () => {
    const p = getProfile('quick');
    const nope = (cfg: { kind: string; method: { label: string } }) => cfg.kind === 'lm' && cfg.method.label === 'NoPE';
    const target = planRuns(['lm-extrapolation'], p).find((r) => nope(r.config))!;
    fs.mkdirSync(target.dir, { recursive: true });
    const file = path.join(target.dir, 'result.json');
    fs.writeFileSync(file, JSON.stringify({ ...lm(), finalTrainLoss: null }));
    const again = planRuns(['lm-extrapolation'], p).find((r) => r.dir === target.dir)!;
    expect(again.cached).toBe(false);
    expect(again.invalid).toBe(`${file}: finalTrainLoss is null where a value belongs (a NaN written as JSON?)`);
    expect(() => loadResults('lm-extrapolation', 'quick')).toThrow(/is not a valid result|missing/);

    const lines: string[] = [];
    await runExperiments(['lm-extrapolation'], { profile: 'quick', workers: 1, report: false, select: nope, log: (l) => lines.push(l) });
    expect(lines[0]).toBe(`bad cached result, not used; the run is planned again: ${again.invalid}`);
    expect(lines[1]).toBe('1 runs: 0 cached, 1 to run on 1 worker process(es)');
    const first = readRunResult<{ finalTrainLoss: number; steps: number }>(target.dir, 'lm');
    if (first.status !== 'valid') throw new Error(JSON.stringify(first));
    expect(Number.isFinite(first.result.finalTrainLoss)).toBe(true);
    expect(first.result.steps).toBe(p.lm.steps);

    // killed during evaluation: the checkpoint is at the last step, result.json never written
    fs.rmSync(file);
    await runExperiments(['lm-extrapolation'], { profile: 'quick', workers: 1, report: false, select: nope, log: () => undefined });
    const second = readRunResult<{ finalTrainLoss: number }>(target.dir, 'lm');
    if (second.status !== 'valid') throw new Error(JSON.stringify(second));
    expect(second.result.finalTrainLoss).toBe(first.result.finalTrainLoss);
    expect(fs.readFileSync(path.join(target.dir, 'run.log'), 'utf8')).toContain(`resumed from ${path.join(target.dir, 'checkpoint.bin')} at step ${p.lm.steps}`);
  }, 120_000);
});
