/**
 * Reports read cached results through readRunResult (validated): a damaged result.json is named with what is wrong and
 * nothing is rendered from it (no null or NaN cell); planRuns plans that run again.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExperiment } from '../../src/experiments/catalog';
import { runDir } from '../../src/experiments/cache';
import { getProfile } from '../../src/experiments/profiles';
import { writeReports } from '../../src/experiments/reports';
import { planRuns } from '../../src/experiments/run';

const p = getProfile('quick');
let root: string;
const saved = { results: process.env.SEQPE_RESULTS_DIR, figures: process.env.SEQPE_FIGURES_DIR };

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-reports-'));
  process.env.SEQPE_RESULTS_DIR = path.join(root, 'results');
  process.env.SEQPE_FIGURES_DIR = path.join(root, 'figures');
});
afterAll(() => {
  for (const [k, v] of [['SEQPE_RESULTS_DIR', saved.results], ['SEQPE_FIGURES_DIR', saved.figures]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(root, { recursive: true, force: true });
});

function lmResult(label: string, ppl: number | null): Record<string, unknown> {
  return {
    kind: 'lm', label, finalTrainLoss: 1.5, steps: 2, trainSeconds: 1,
    ppl: [{ length: 32, ppl, nll: 1, tokens: 31, chunks: 1 }],
    params: { total: 10, pe: 0 }, maps: [], awareness: { inside: null, beyond: null }, collapse: null,
  };
}

describe('reports from damaged results', () => {
  it('a result with a NaN written as null is named, not rendered, and planned again', async () => {
    const [first] = getExperiment('lm-extrapolation').runs(p);
    const dir = runDir(first.kind, first);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'result.json');
    fs.writeFileSync(file, JSON.stringify(lmResult(first.method.label, NaN))); // JSON.stringify writes NaN as null
    await expect(writeReports(p, ['lm-extrapolation'])).rejects.toThrow(
      new RegExp(`^damaged result ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(lm · ${first.method.label} · seed ${first.seed}\\): .*ppl\\[0\\]\\.ppl is null where a value belongs.*; not rendered\\. npm run reproduce trains that run again$`),
    );
    expect(fs.existsSync(path.join(root, 'figures', 'quick', 'lm-extrapolation.md'))).toBe(false); // nothing written from it
    const plan = planRuns(['lm-extrapolation'], p).find((r) => r.dir === dir)!;
    expect(plan.cached).toBe(false);
    expect(plan.invalid).toMatch(/ppl\[0\]\.ppl is null/);
  });

  it('unreadable JSON and a missing result are named too', async () => {
    const [first, second] = getExperiment('lm-extrapolation').runs(p);
    fs.writeFileSync(path.join(runDir(first.kind, first), 'result.json'), '{"kind": "lm", ');
    await expect(writeReports(p, ['lm-extrapolation'])).rejects.toThrow(/^damaged result .*result\.json \(lm · APE · seed \d+\): unreadable JSON/);
    fs.writeFileSync(path.join(runDir(first.kind, first), 'result.json'), JSON.stringify(lmResult(first.method.label, 3)));
    const missing = path.join(runDir(second.kind, second), 'result.json');
    await expect(writeReports(p, ['lm-extrapolation'])).rejects.toThrow(`missing result ${missing}`);
  });
});
