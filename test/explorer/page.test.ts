/**
 * The explorer page in real headless Chromium (playwright-core driving the system browser, offline, with the project's
 * flags from src/report/chromium.ts): build it, serve it from a local http server, and check what a student does —
 * set positions and read the digits back (exact digits, and the library's own error message for bad input), draw the
 * encodings side by side (one card per method of the index, awareness equal to the same computation in Node), run 50
 * live-training steps and see L_δ fall (mean of the first 10 steps vs the last 10). No console error, no failed or
 * refused request. Screenshots of each panel go to explorer/dist/screenshots/ for review.
 */
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildExplorer, DIST } from '../../explorer/build';
import { serveStatic, type StaticServer } from '../../explorer/serve';
import { liveRun } from '../../explorer/src/live-recipe';
import { view1d } from '../../explorer/src/maps';
import { buildEncoding, type WeightsIndex } from '../../explorer/src/weights';
import { CHROMIUM_ARGS, requireChromium } from '../../src/report/chromium';
import { initBackend } from '../../src/backend';
import { toDigits } from '../../src/positions/digits';
import { decodeSafetensors } from '../../src/util/safetensors';

const SHOTS = path.join(DIST, 'screenshots');

let server: StaticServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];
let backend = '';

async function setDigits(position: string, base: string, digits: string, dims: string): Promise<void> {
  await page.fill('#digits-position', position);
  await page.fill('#digits-base', base);
  await page.fill('#digits-count', digits);
  await page.fill('#digits-dims', dims);
  await page.click('#digits-show');
}

const text = async (sel: string): Promise<string> => ((await page.textContent(sel)) ?? '').trim();

beforeAll(async () => {
  await buildExplorer();
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await serveStatic(DIST);
  browser = await chromium.launch({ executablePath: requireChromium(), args: [...CHROMIUM_ARGS] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.waitForFunction(() => document.body.dataset.ready === '1' || document.body.dataset.backend === 'none', undefined, { timeout: 300_000 });
  backend = (await page.getAttribute('body', 'data-backend')) ?? '';
  console.log(`explorer page test: engine ${await text('#engine')}`);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('explorer page (headless Chromium)', () => {
  it('starts an engine and loads the shipped weights', async () => {
    expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(backend);
    expect(await text('#weights-note')).toMatch(/LM: .*SeqPE lm-/);
    expect(await text('#maps-error')).toBe('');
  });

  it('writes positions as digits, with slot and dimension ids, exactly', async () => {
    await setDigits('123', '10', '5', '1');
    expect(await text('#digit-symbols')).toBe('0 0 1 2 3');
    expect(await text('#digit-slots')).toBe('0 1 2 3 4');
    expect(await text('#digit-dims')).toBe('0 0 0 0 0');
    expect(await page.locator('#digits-out .token.pad').count()).toBe(2); // the two leading zeros
    await setDigits('2, 3', '10', '2', '2'); // Fig. 1's patch
    expect(await text('#digit-symbols')).toBe('0 2 0 3');
    expect(await text('#digit-slots')).toBe('0 1 2 3');
    expect(await text('#digit-dims')).toBe('0 0 1 1');
    await page.locator('#digits-panel').screenshot({ path: path.join(SHOTS, 'digits.png') });
    await setDigits('123', '2', '8', '1'); // 123 = 64+32+16+8+2+1
    expect(await text('#digit-symbols')).toBe('0 1 1 1 1 0 1 1');
    await setDigits('7, 15, 300', '16', '3', '3');
    expect(await text('#digit-symbols')).toBe('0 0 7 0 0 15 1 2 12');
    expect(await text('#digit-dims')).toBe('0 0 0 1 1 1 2 2 2');
    expect(await text('#digits-error')).toBe('');
  });

  it('shows the library\'s own error for bad input, and no digits', async () => {
    const libraryMessage = (p: number[], spec: { base: number; digits: number; dims: number }): string => {
      try {
        toDigits(p, spec);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`toDigits(${p}) did not throw`);
    };
    await setDigits('12.5', '10', '5', '1');
    expect(await text('#digits-error')).toBe(libraryMessage([12.5], { base: 10, digits: 5, dims: 1 }));
    expect(await page.locator('#digit-symbols').count()).toBe(0);
    await setDigits('1000', '10', '3', '1');
    expect(await text('#digits-error')).toBe(libraryMessage([1000], { base: 10, digits: 3, dims: 1 }));
    await setDigits('2,3', '10', '2', '1');
    expect(await text('#digits-error')).toBe(libraryMessage([2, 3], { base: 10, digits: 2, dims: 1 }));
    await setDigits('5', '1', '2', '1');
    expect(await text('#digits-error')).toBe(libraryMessage([5], { base: 1, digits: 2, dims: 1 }));
    await setDigits('4,', '10', '2', '2');
    expect(await text('#digits-error')).toBe('position "4,": coordinate 2 of 2 is empty');
    await setDigits('123', '10', '5', '1');
    expect(await text('#digits-error')).toBe('');
  });

  it('draws every encoding of each task, with the awareness Node computes from the same weights', async () => {
    const index = JSON.parse(fs.readFileSync(path.join(DIST, 'assets', 'index.json'), 'utf8')) as WeightsIndex;
    const lm = index.tasks.find((t) => t.kind === 'lm')!;
    const cards = page.locator('#maps-grid .card');
    expect(await cards.count()).toBe(lm.methods.length);
    // A learned method with no trained run of the task's profile (the reproduction has not reached it yet) gets its card
    // with that said instead of a map; every other card has one.
    const unshipped = (t: WeightsIndex['tasks'][number]) => t.methods.filter((m) => m.learned && !m.trained);
    expect(await page.locator('#maps-grid .card .js-plotly-plot').count()).toBe(lm.methods.length - unshipped(lm).length);
    for (const m of unshipped(lm)) {
      expect(await text(`#maps-grid .card[data-method="${m.label}"] .score`)).toBe('no trained weights for this method were found at build time');
    }
    // The trained SeqPE LM card against the same view computed here (wasm in Node; the page's engine may differ).
    const seq = lm.methods.find((m) => m.label === 'SeqPE')!;
    expect(seq.trained).toBeDefined();
    await initBackend('wasm');
    const st = decodeSafetensors(new Uint8Array(fs.readFileSync(path.join(DIST, 'assets', seq.trained!.file))));
    const enc = buildEncoding(lm, seq, 0, st.tensors);
    const want = view1d(enc, lm.dims, lm.trainExtent, 4 * lm.trainExtent, 'cosine', true).awareness;
    enc.dispose();
    const score = page.locator('#maps-grid .card[data-method="SeqPE"] .score');
    expect(Number(await score.getAttribute('data-inside'))).toBeCloseTo(want.inside, 3);
    expect(Number(await score.getAttribute('data-beyond'))).toBeCloseTo(want.beyond, 3);
    await page.locator('#maps-panel').screenshot({ path: path.join(SHOTS, 'maps-lm.png') });

    const vit = index.tasks.find((t) => t.kind === 'vit')!;
    await page.selectOption('#maps-task', 'vit');
    await page.waitForFunction((n) => document.querySelectorAll('#maps-grid .card .js-plotly-plot').length === n, vit.methods.length - unshipped(vit).length, { timeout: 300_000 });
    expect(await text('#maps-error')).toBe('');
    for (const s of await page.locator('#maps-grid .card .score[data-inside]').all()) {
      expect(Number.isFinite(Number(await s.getAttribute('data-inside')))).toBe(true);
    }
    expect(await page.locator('#maps-grid .card .score[data-inside]').count()).toBe(vit.methods.length - unshipped(vit).length);
    await page.locator('#maps-panel').screenshot({ path: path.join(SHOTS, 'maps-vit.png') });
    await page.selectOption('#maps-task', 'lm');
    await page.waitForFunction((n) => document.querySelectorAll('#maps-grid .card .js-plotly-plot').length === n, lm.methods.length - unshipped(lm).length, { timeout: 300_000 });
  }, 600_000);

  it('trains SeqPE live for 50 steps and L_δ falls', async () => {
    await page.fill('#train-seed', '0');
    await page.fill('#train-steps', '50');
    await page.fill('#train-range', '192');
    await page.click('#train-start');
    await page.waitForFunction(() => ['done', 'error', 'stopped'].includes(document.getElementById('train-panel')!.dataset.state ?? ''), undefined, { timeout: 400_000 });
    expect(await text('#train-error')).toBe('');
    expect(await page.getAttribute('#train-panel', 'data-state')).toBe('done');
    const losses = JSON.parse((await page.getAttribute('#train-panel', 'data-losses')) ?? '[]') as number[];
    expect(losses).toHaveLength(50);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(40));
    console.log(`explorer page test (${backend}): L_δ first 10 steps ${first.toFixed(4)}, last 10 ${last.toFixed(4)}; ms ${await page.getAttribute('#train-panel', 'data-ms')}`);
    expect(first).toBeGreaterThan(3); // near ln 32 = 3.47 at the start: 32 candidates, an untrained encoder
    expect(last).toBeLessThan(first - 0.2);
    // Everything the run allocated was freed (the maps panel's own tensors are freed per card too).
    expect(Number(await page.getAttribute('#train-panel', 'data-tensors'))).toBeLessThanOrEqual(Number(await page.getAttribute('#maps-grid', 'data-tensors')));
    await page.locator('#train-panel').screenshot({ path: path.join(SHOTS, 'training.png') });
    await page.screenshot({ path: path.join(SHOTS, 'explorer.png'), fullPage: true });
    // The page trains the library's recipe itself: its first steps are the ones Node computes for the same seed.
    const node = liveRun({ seed: 0, steps: 50, range: 192, ood: false });
    const nodeLosses = Array.from({ length: 10 }, () => node.trainer.stepOnce().objectives.contrastive);
    node.dispose();
    const tol = backend === 'wasm' || backend === 'cpu' ? 1e-4 : 2e-2; // GPU engines round differently
    nodeLosses.forEach((l, i) => expect(Math.abs(losses[i] - l)).toBeLessThan(tol));
  }, 600_000);

  it('is seedable and stoppable: the same seed repeats its losses; Stop ends the run between steps', async () => {
    const before = JSON.parse((await page.getAttribute('#train-panel', 'data-losses')) ?? '[]') as number[];
    await page.fill('#train-steps', '50'); // the same run as above, stopped early
    await page.click('#train-start');
    await page.waitForFunction(() => Number(document.getElementById('train-panel')!.dataset.steps) >= 3 && document.getElementById('train-panel')!.dataset.state === 'running', undefined, { timeout: 300_000 });
    await page.click('#train-stop');
    await page.waitForFunction(() => document.getElementById('train-panel')!.dataset.state !== 'running', undefined, { timeout: 300_000 });
    expect(await page.getAttribute('#train-panel', 'data-state')).toBe('stopped');
    const again = JSON.parse((await page.getAttribute('#train-panel', 'data-losses')) ?? '[]') as number[];
    expect(again.length).toBeGreaterThanOrEqual(3);
    expect(again.length).toBeLessThan(50);
    // Same seed, same engine: the same pivots, candidates and updates, so the same losses, bit for bit.
    expect(again).toEqual(before.slice(0, again.length));
    expect(await text('#train-status')).toMatch(/stopped at step \d+/);
  }, 600_000);

  it('logged no console error, page error or failed request', () => {
    expect(problems).toEqual([]);
  });
});
