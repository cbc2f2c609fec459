/**
 * A QA run fine-tunes its LM's trained parameters. An LM whose result is cached but whose folder holds neither a
 * checkpoint nor weights.safetensors (trained before runs wrote their weights, checked out without the uncommitted
 * checkpoint) cannot be fine-tuned: the plan is refused before any worker starts, naming the folder and the remedy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dependenciesWithoutWeights, planRuns, runExperiments } from '../../src/experiments/run';
import { getProfile } from '../../src/experiments/profiles';
import type { RunConfig } from '../../src/experiments/configs';

// a valid LM result (result-check.ts), written by hand
const lmResult = {
  kind: 'lm', label: 'NoPE', ppl: [{ length: 32, ppl: 12.5, nll: 2.526, tokens: 1000, chunks: 4 }], finalTrainLoss: 2.4,
  steps: 12, trainSeconds: 3.2, params: { total: 1000, pe: 0 }, maps: [], awareness: { inside: null, beyond: null }, collapse: null,
};

describe('QA runs whose LM has no trained parameters in this checkout', () => {
  let root: string;
  const saved = process.env.SEQPE_RESULTS_DIR;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-noweights-'));
    process.env.SEQPE_RESULTS_DIR = root;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SEQPE_RESULTS_DIR;
    else process.env.SEQPE_RESULTS_DIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('are refused before any worker starts, naming the LM folder; a checkpoint (or weights) lifts the refusal', async () => {
    const p = getProfile('quick');
    const nopeQa = (c: RunConfig) => c.kind === 'qa' && c.method.label === 'NoPE';
    const plan = planRuns(['qa-extrapolation'], p);
    const qa = plan.find((r) => nopeQa(r.config))!;
    const lm = plan.find((r) => r.config.kind === 'lm' && r.config.method.label === 'NoPE')!;
    expect(dependenciesWithoutWeights(plan)).toEqual([]); // nothing cached yet: the LM is simply planned first

    fs.mkdirSync(lm.dir, { recursive: true });
    fs.writeFileSync(path.join(lm.dir, 'result.json'), JSON.stringify(lmResult));
    const again = planRuns(['qa-extrapolation'], p);
    expect(again.find((r) => r.dir === lm.dir)!.cached).toBe(true);
    expect(dependenciesWithoutWeights(again.filter((r) => nopeQa(r.config)))).toEqual([{ run: qa.dir, needs: lm.dir }]);

    const lines: string[] = [];
    await expect(runExperiments(['qa-extrapolation'], { profile: 'quick', workers: 1, report: false, select: nopeQa, log: (l) => lines.push(l) }))
      .rejects.toThrow(new RegExp(`${path.basename(lm.dir)} hold a result but neither checkpoint.bin nor weights.safetensors.*Delete those folders and run again`));
    expect(lines).toEqual([]); // nothing planned, nothing started
    expect(fs.existsSync(path.join(qa.dir, 'run.log'))).toBe(false);

    fs.writeFileSync(path.join(lm.dir, 'checkpoint.bin'), '');
    expect(dependenciesWithoutWeights(planRuns(['qa-extrapolation'], p))).toEqual([]);
  });
});
