/**
 * Panel 3: live training of a fresh SeqPE encoder (live-recipe.ts) with a loss chart and the similarity map redrawn as
 * it learns. Every step yields to the browser (requestAnimationFrame), so the page stays responsive and Stop is honoured
 * between steps; the run's numbers are exposed on the panel (data-*) for the Chromium test.
 */
import { parseNumber } from './digits-panel';
import { LIVE_MAP_EXTENT, liveRun, meanOf, type LiveRun } from './live-recipe';
import { view1d } from './maps';
import { heatmap, lossChart } from './plot';
import { tf } from './lib';

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

/** Redraw the map every this many steps (and at the end): encoding, scoring and drawing 384² cells costs several steps. */
const MAP_EVERY = 25;
/** Redraw the loss chart at most this often (ms), and after the last step. */
const CHART_EVERY_MS = 250;

export function mountTrainPanel(): void {
  const $ = (id: string) => document.getElementById(id) as HTMLInputElement;
  const status = document.getElementById('train-status')!;
  const err = document.getElementById('train-error')!;
  const lossEl = document.getElementById('train-loss')!;
  const mapEl = document.getElementById('train-map')!;
  const panel = document.getElementById('train-panel')!;
  const start = $('train-start');
  const stop = $('train-stop');
  let stopRequested = false;
  let busy = false;

  const drawMap = async (run: LiveRun, range: number, step: number) => {
    const v = view1d(run.encoding, { dModel: 32, heads: 2, layers: 1 }, range, LIVE_MAP_EXTENT, 'cosine');
    panel.dataset.awarenessInside = String(v.awareness.inside);
    panel.dataset.awarenessBeyond = String(v.awareness.beyond);
    await heatmap(mapEl, v.rows, {
      title: `step ${step}: cosine similarity · awareness inside ${v.awareness.inside.toFixed(3)}, beyond ${v.awareness.beyond.toFixed(3)}`,
      boundary: range,
      kind: '1d',
      height: 340,
    });
  };

  const train = async () => {
    if (busy) return;
    busy = true;
    stopRequested = false;
    err.textContent = '';
    start.disabled = true;
    stop.disabled = false;
    panel.dataset.state = 'running';
    panel.dataset.steps = '0';
    panel.dataset.losses = '[]';
    let run: LiveRun | undefined;
    try {
      const seed = parseNumber('seed', $('train-seed').value);
      const steps = parseNumber('steps', $('train-steps').value);
      const range = parseNumber('training range', $('train-range').value);
      const ood = $('train-ood').checked;
      const ct: number[] = [];
      const od: number[] = [];
      run = liveRun({ seed, steps, range, ood });
      const t0 = performance.now();
      const spent = { step: 0, chart: 0, map: 0 };
      const timed = async <T>(k: keyof typeof spent, f: () => T | Promise<T>): Promise<T> => {
        const a = performance.now();
        try {
          return await f();
        } finally {
          spent[k] += performance.now() - a;
          panel.dataset.ms = JSON.stringify(spent);
        }
      };
      await timed('map', () => drawMap(run!, range, 0));
      let lastChart = 0;
      for (let s = 1; s <= steps && !stopRequested; s++) {
        const r = await timed('step', () => run!.trainer.stepOnce());
        ct.push(r.objectives.contrastive);
        if (ood) od.push(r.objectives.distillation);
        panel.dataset.steps = String(s);
        panel.dataset.losses = JSON.stringify(ct);
        status.textContent = `step ${s}/${steps} · L_δ ${r.objectives.contrastive.toFixed(4)}${ood ? ` · L_OOD ${r.objectives.distillation.toFixed(4)}` : ''} · ${(spent.step / s).toFixed(0)} ms per training step (${((performance.now() - t0) / s).toFixed(0)} with drawing) · ${tf.getBackend()}`;
        if (s === steps || performance.now() - lastChart > CHART_EVERY_MS) {
          lastChart = performance.now();
          await timed('chart', () => lossChart(lossEl, ood ? [{ name: 'L_δ', y: ct }, { name: 'L_OOD', y: od }] : [{ name: 'L_δ', y: ct }]));
        }
        if (s % MAP_EVERY === 0 || s === steps) await timed('map', () => drawMap(run!, range, s));
        await nextFrame();
      }
      const done = ct.length;
      const k = Math.min(10, Math.floor(done / 2));
      status.textContent += stopRequested ? ` · stopped at step ${done}` : ' · done';
      if (k >= 1) status.textContent += ` · L_δ mean of first ${k} steps ${meanOf(ct, 0, k).toFixed(4)}, of last ${k} ${meanOf(ct, done - k, done).toFixed(4)}`;
      panel.dataset.state = stopRequested ? 'stopped' : 'done';
    } catch (e) {
      err.textContent = (e as Error).message;
      panel.dataset.state = 'error';
    } finally {
      run?.dispose();
      panel.dataset.tensors = String(tf.memory().numTensors);
      busy = false;
      start.disabled = false;
      stop.disabled = true;
    }
  };
  document.getElementById('train-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void train();
  });
  stop.addEventListener('click', () => {
    stopRequested = true;
  });
}
