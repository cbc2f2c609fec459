/**
 * Panel 2: similarity maps of every encoding of a task, from the shipped trained weights or from a seeded random
 * initialisation, inside and beyond the training range, each with its distance-awareness scores (maps.ts).
 */
import { parseNumber, parsePosition } from './digits-panel';
import { view1d, view2d, type Metric } from './maps';
import { heatmap } from './plot';
import { buildEncoding, fetchWeights, type IndexMethod, type IndexTask, type WeightsIndex } from './weights';
import { checkInt, tf } from './lib';

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'n/a';
}

function sourceOf(m: IndexMethod, weights: 'trained' | 'random', seed: number): string {
  if (!m.learned) return 'no parameters: the same map trained or untrained';
  if (weights === 'random') return `random init, seed ${seed}`;
  const t = m.trained;
  return t ? `trained: run ${t.runId}, ${t.profile} profile, ${t.steps} steps, seed ${t.seed}` : 'no trained run shipped';
}

async function drawCard(grid: HTMLElement, task: IndexTask, m: IndexMethod, weights: 'trained' | 'random', seed: number, metric: Metric, query: [number, number]): Promise<void> {
  const card = document.createElement('div');
  card.className = 'card';
  card.dataset.method = m.label;
  const h = document.createElement('h3');
  h.textContent = m.label;
  const score = document.createElement('p');
  score.className = 'score';
  const src = document.createElement('p');
  src.className = 'src';
  src.textContent = sourceOf(m, weights, seed);
  const plot = document.createElement('div');
  card.append(h, plot, score, src);
  grid.append(card);
  if (m.learned && weights === 'trained' && !m.trained) {
    score.textContent = 'no trained weights for this method were found at build time';
    return;
  }
  const w = m.learned && weights === 'trained' ? await fetchWeights(m.trained!.file) : undefined;
  const enc = buildEncoding(task, m, seed, w);
  try {
    const T = task.trainExtent;
    const v = task.kind === 'lm'
      ? view1d(enc, task.dims, T, 4 * T, metric, true)
      : view2d(enc, task.dims, T, 3 * T, query, metric, task.prefix);
    score.dataset.inside = String(v.awareness.inside);
    score.dataset.beyond = String(v.awareness.beyond);
    score.textContent = `awareness inside ${fmt(v.awareness.inside)} · beyond ${fmt(v.awareness.beyond)}`;
    const what = v.metric === 'applied' ? (m.encoding.name === 'alibi' ? 'attention bias' : 'relative q·k') : v.metric;
    await heatmap(plot, v.rows, { title: `${m.label} — ${what}`, boundary: v.boundary, kind: task.kind === 'lm' ? '1d' : '2d' });
    plot.title = v.description;
  } finally {
    enc.dispose();
  }
}

export function mountMapsPanel(index: WeightsIndex): { draw: () => Promise<void> } {
  const $ = (id: string) => document.getElementById(id) as HTMLInputElement;
  const grid = document.getElementById('maps-grid')!;
  const err = document.getElementById('maps-error')!;
  const note = document.getElementById('maps-source')!;
  let running: Promise<void> = Promise.resolve();
  const draw = async () => {
    const kind = $('maps-task').value as 'lm' | 'vit';
    document.body.classList.toggle('task-vit', kind === 'vit');
    grid.replaceChildren();
    err.textContent = '';
    try {
      const task = index.tasks.find((t) => t.kind === kind);
      if (!task) throw new Error(`the weights index has no '${kind}' task`);
      const seed = checkInt('init seed', parseNumber('init seed', $('maps-seed').value), 0);
      const weights = $('maps-weights').value as 'trained' | 'random';
      const metric = $('maps-metric').value as Metric;
      const side = 3 * task.trainExtent;
      let query: [number, number] = [0, 0];
      if (kind === 'vit') {
        const q = parsePosition($('maps-query').value);
        if (q.length !== 2) throw new Error(`query patch "${$('maps-query').value}" has ${q.length} coordinate(s); expected row,col`);
        query = [checkInt('query row', q[0], 0, side - 1), checkInt('query column', q[1], 0, side - 1)];
      }
      note.textContent = kind === 'lm'
        ? `Causal LM of the ${task.profile} profile (d ${task.dims.dModel}, ${task.dims.heads} heads), trained at T = ${task.trainExtent} tokens; maps over positions 0 … ${4 * task.trainExtent - 1} (4T).`
        : `ViT of the ${task.profile} profile (d ${task.dims.dModel}, ${task.dims.heads} heads), trained on a ${task.trainExtent}×${task.trainExtent} patch grid; maps over ${side}×${side} (3× per side), similarity to patch (${query.join(', ')}).`;
      for (const m of task.methods) {
        await drawCard(grid, task, m, weights, seed, metric, query);
        await nextFrame(); // one card per frame: the page stays responsive while the maps are computed
      }
      grid.dataset.tensors = String(tf.memory().numTensors);
    } catch (e) {
      err.textContent = (e as Error).message;
    }
  };
  // Draws never overlap: a new request waits for the one in progress.
  const queue = () => (running = running.then(draw));
  document.getElementById('maps-form')!.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void queue();
  });
  for (const id of ['maps-task', 'maps-weights', 'maps-metric']) $(id).addEventListener('change', () => void queue());
  return { draw: queue };
}
