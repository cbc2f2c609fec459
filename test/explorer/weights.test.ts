/**
 * The explorer's weights (scripts/explorer-weights.ts → explorer/src/weights.ts) against the reproduction's own route:
 * the encoding the page rebuilds from an exported file must give the same similarity map as the full model built by the
 * runner (buildLm / buildVit) with every parameter loaded from the archived checkpoint. Also: which runs are picked and
 * how they are labelled, and that a mismatched weight file is an error, not a partial load.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, candidateFromCheckpoint, findCandidates, plannedRuns, writeExplorerWeights, type WeightsIndex } from '../../scripts/explorer-weights';
import { buildEncoding } from '../../explorer/src/weights';
import { libraryMap } from '../../explorer/src/maps';
import { initBackend } from '../../src/backend';
import { buildLm } from '../../src/experiments/runners/lm';
import { buildVit } from '../../src/experiments/runners/vit';
import type { LmRunConfig, VitRunConfig } from '../../src/experiments/configs';
import type { PositionLayout } from '../../src/encodings/types';
import { loadCheckpoint } from '../../src/train/checkpoint';
import { PROJECT_ROOT } from '../../src/util/paths';
import { decodeSafetensors, encodeSafetensors } from '../../src/util/safetensors';

let out: string;
let index: WeightsIndex;

beforeAll(async () => {
  await initBackend('wasm');
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-weights-'));
  writeExplorerWeights(out);
  index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')) as WeightsIndex;
});

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function pageEncoding(kind: 'lm' | 'vit', label: string) {
  const task = index.tasks.find((t) => t.kind === kind)!;
  const m = task.methods.find((x) => x.label === label)!;
  const st = decodeSafetensors(new Uint8Array(fs.readFileSync(path.join(out, m.trained!.file))));
  return { task, m, st, enc: buildEncoding(task, m, 123, st.tensors) };
}

/** The whole model's parameters from the run's own file: a results/runs weights file, or an archived checkpoint. */
function checkpointParams(source: string) {
  if (source.endsWith('.safetensors')) return decodeSafetensors(new Uint8Array(fs.readFileSync(path.join(PROJECT_ROOT, source))), source).tensors;
  const ck = loadCheckpoint(path.join(PROJECT_ROOT, source));
  const w = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, t] of ck.tensors) if (k.startsWith('param/')) w.set(k.slice('param/'.length), t);
  return w;
}

describe('explorer weights', () => {
  it('picks a trained SeqPE and APE for both tasks, labelled with run id, profile and steps from the run itself', () => {
    for (const t of index.tasks) {
      const byLabel = new Map(t.methods.map((m) => [m.label, m]));
      const seq = byLabel.get('SeqPE')!;
      expect(seq.learned).toBe(true);
      expect(seq.trained).toBeDefined();
      const cfg = plannedRuns().get(seq.trained!.runId)!;
      expect(cfg.kind).toBe(t.kind);
      expect(seq.trained!.profile).toBe(cfg.profile);
      expect(t.profile).toBe(cfg.profile);
      if (seq.trained!.source.endsWith('checkpoint.bin')) {
        expect(seq.trained!.steps).toBe(loadCheckpoint(path.join(PROJECT_ROOT, seq.trained!.source)).meta.step);
      } else {
        expect(seq.trained!.source).toMatch(/^results\/runs\/[^/]+\/weights\.safetensors$/);
        const meta = decodeSafetensors(new Uint8Array(fs.readFileSync(path.join(PROJECT_ROOT, seq.trained!.source)))).metadata;
        expect(seq.trained!.steps).toBe(Number(meta.step));
      }
      // APE is shipped exactly when some run of the task's profile trained it (the reproduction may not have reached it).
      const apeRuns = findCandidates(PROJECT_ROOT, []).filter((c) => c.cfg.kind === t.kind && c.cfg.profile === t.profile && c.cfg.method.encoding.name === 'ape');
      expect([...byLabel.keys()].some((l) => l.startsWith('APE') && byLabel.get(l)!.trained)).toBe(apeRuns.length > 0);
      // Methods without parameters carry no weights; NoPE (no map at all) is not listed.
      for (const m of t.methods) if (!m.learned) expect(m.trained).toBeUndefined();
      expect(byLabel.has('NoPE')).toBe(false);
    }
  });

  it('LM SeqPE: the page\'s encoding gives the same map as the runner\'s model loaded from the checkpoint', () => {
    const { task, m, st, enc } = pageEncoding('lm', 'SeqPE');
    // The file holds the encoding's parameters only, and its metadata names the run.
    expect([...st.tensors.keys()].every((k) => k.startsWith('pe.'))).toBe(true);
    expect(st.metadata.runId).toBe(m.trained!.runId);
    const cfg = JSON.parse(st.metadata.config) as LmRunConfig;
    const model = buildLm(cfg);
    model.params.setWeights(checkpointParams(m.trained!.source));
    const layout: PositionLayout = { kind: '1d', start: 0, length: 4 * task.trainExtent };
    const a = libraryMap(enc, layout, task.dims);
    const b = libraryMap(model.encoding, layout, task.dims);
    expect(a.size).toBe(b.size);
    let maxDiff = 0;
    for (let i = 0; i < a.values.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.values[i] - b.values[i]));
    expect(maxDiff).toBe(0); // same weights, same engine, same ops: bit-identical
    // …and differs from the random initialisation of the same spec (the weights really were loaded).
    const fresh = buildEncoding(task, m, 123);
    const c = libraryMap(fresh, layout, task.dims);
    expect(c.values.some((v, i) => Math.abs(v - a.values[i]) > 1e-3)).toBe(true);
    for (const e of [enc, fresh, model.encoding]) e.dispose();
    model.dispose();
  });

  it('ViT SeqPE and APE: the same check on the 2-D grid (CLS prefix excluded)', () => {
    for (const label of ['SeqPE', 'APE (bicubic)']) {
      const { task, m, st, enc } = pageEncoding('vit', label);
      const cfg = JSON.parse(st.metadata.config) as VitRunConfig;
      const model = buildVit(cfg);
      model.params.setWeights(checkpointParams(m.trained!.source));
      const layout: PositionLayout = { kind: '2d', start: [0, 0], rows: 3 * task.trainExtent, cols: 3 * task.trainExtent, prefix: 1 };
      const a = libraryMap(enc, layout, task.dims);
      const b = libraryMap(model.encoding, layout, task.dims);
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
      enc.dispose();
      model.encoding.dispose();
      model.dispose();
    }
  });

  it('a weight file that does not fit the encoding is an error naming the tensor, never a partial load', () => {
    const { task, m, st, enc } = pageEncoding('lm', 'SeqPE');
    enc.dispose();
    const broken = new Map(st.tensors);
    broken.delete('pe.encoder.cls');
    expect(() => buildEncoding(task, m, 0, broken)).toThrow(/SeqPE \(weights\/lm-seqpe\.safetensors\): setWeights: names do not match the model; missing: pe\.encoder\.cls/);
    const reshaped = new Map(st.tensors);
    const t = reshaped.get('pe.encoder.cls')!;
    reshaped.set('pe.encoder.cls', { shape: [1, t.shape[0]], data: t.data });
    expect(() => buildEncoding(task, m, 0, reshaped)).toThrow(`setWeights: "pe.encoder.cls" has shape [1,${t.shape[0]}] in the weights but [${t.shape[0]}] in the model`);
  });

  it('an archived checkpoint of no planned run is named and skipped; a results/runs weights file beats it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-root-'));
    try {
      // an archived LM SeqPE checkpoint of a planned run (the page's own pick may be a results/runs weights file)
      const lmSeq = findCandidates(PROJECT_ROOT, []).find((c) => c.cfg.kind === 'lm' && c.cfg.method.label === 'SeqPE' && c.source.endsWith('checkpoint.bin'))!;
      expect(lmSeq).toBeDefined();
      // an archive with the real SeqPE checkpoint and the same bytes under an unknown run id
      for (const id of [lmSeq.runId, 'lm-000000000000']) {
        fs.mkdirSync(path.join(root, 'results', 'archive', 'a', id), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_ROOT, lmSeq.source), path.join(root, 'results', 'archive', 'a', id, 'checkpoint.bin'));
      }
      const notes: string[] = [];
      const found = findCandidates(root, notes);
      expect(found.map((c) => c.runId)).toEqual([lmSeq.runId]);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/^skip .*lm-000000000000\/checkpoint\.bin: run id lm-000000000000 is no planned run of any profile, so its settings are unknown$/);
      // the same run exported as results/runs/<id>/weights.safetensors (scripts/export-weights.ts format) wins
      const c = candidateFromCheckpoint(path.join(root, 'results', 'archive', 'a', lmSeq.runId, 'checkpoint.bin'), plannedRuns(), [])!;
      const all = new Map([...c.tensors].map(([k, v]) => [k, v] as const));
      all.set('tok_emb', { shape: [1], data: Float32Array.from([0]) }); // non-pe tensors are left out of the page's file
      fs.mkdirSync(path.join(root, 'results', 'runs', lmSeq.runId), { recursive: true });
      fs.writeFileSync(path.join(root, 'results', 'runs', lmSeq.runId, 'weights.safetensors'), encodeSafetensors(all, {
        format: 'seqpe-ts run weights v1', kind: 'lm', config: JSON.stringify(c.cfg), step: '9',
      }));
      const { index: idx, files } = buildIndex(findCandidates(root, []));
      const w = idx.tasks.find((t) => t.kind === 'lm')!.methods.find((x) => x.label === 'SeqPE')!.trained!;
      expect(w.source).toBe(path.relative(PROJECT_ROOT, path.join(root, 'results', 'runs', lmSeq.runId, 'weights.safetensors')));
      expect(w.steps).toBe(9);
      const file = decodeSafetensors(files.get(w.file)!);
      expect(file.tensors.has('tok_emb')).toBe(false);
      expect(file.tensors.size).toBe(c.tensors.size);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
