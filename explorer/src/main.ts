/** The page: start the engine, then mount the three panels. Errors are shown in the page, never swallowed. */
import { mountDigitsPanel } from './digits-panel';
import { initEngine } from './engine';
import { mountMapsPanel } from './maps-panel';
import { mountTrainPanel } from './train-panel';
import { fetchIndex } from './weights';

async function main(): Promise<void> {
  mountDigitsPanel(); // pure JS: works before (and without) a tensor engine
  const engineEl = document.getElementById('engine')!;
  const params = new URLSearchParams(location.search);
  try {
    const info = await initEngine(params.get('backend'));
    engineEl.textContent = `${info.name} (kernels ${info.kernels})${info.skipped.length ? ` — skipped ${info.skipped.join('; ')}` : ''}`;
    document.body.dataset.backend = info.name;
  } catch (e) {
    engineEl.textContent = `none — ${(e as Error).message}`;
    document.body.dataset.backend = 'none';
    return;
  }
  mountTrainPanel();
  const note = document.getElementById('weights-note')!;
  try {
    const index = await fetchIndex();
    note.textContent = index.tasks
      .map((t) => `${t.kind.toUpperCase()}: ${t.methods.filter((m) => m.trained).map((m) => `${m.label} ${m.trained!.runId} (${m.trained!.profile}, ${m.trained!.steps} steps)`).join(', ') || 'none'}`)
      .join(' · ');
    const maps = mountMapsPanel(index);
    await maps.draw();
  } catch (e) {
    note.textContent = `not loaded — ${(e as Error).message}`;
    document.getElementById('maps-error')!.textContent = (e as Error).message;
  }
  document.body.dataset.ready = '1';
}

void main();
