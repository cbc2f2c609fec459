/**
 * The classic Notebook's plotly renderer (scripts/nbextension/), for real: start Debian's `jupyter notebook` through
 * scripts/jupyter-notebook.sh (the project's JUPYTER_PATH / JUPYTER_CONFIG_PATH; --allow-root when root), open an executed
 * chapter in headless Chromium, and check that every plotly output of the notebook was drawn by our renderer as an
 * interactive plotly plot that answers a hover. The Notebook itself has no plotly renderer (it shows the PNG), so a
 * `.js-plotly-plot` inside our `.output_seqpe_plotly` subarea can only come from the extension.
 *
 * Needs the optional `jupyter-notebook` package (npm run setup installs it as root) and Chromium; skipped, with the reason
 * printed, where either is missing. A screenshot goes to $SEQPE_SHOTS_DIR (default .cache/shots/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { hasChromium, hoverFirstPlot, launch, watchedPage } from './browser';

const ROOT = path.resolve(__dirname, '../..');
const MIME = 'application/vnd.plotly.v1+json';
const hasNotebook = spawnSync('/usr/bin/python3', ['-c', 'import notebook'], { stdio: 'ignore' }).status === 0;
const hasKernel = fs.existsSync(path.join(ROOT, '.jupyter/share/jupyter/kernels/tslab/kernel.json'));
const why = !hasNotebook ? 'Debian jupyter-notebook is not installed (npm run setup installs it as root)'
  : !hasChromium ? 'Chromium is not installed' : !hasKernel ? 'the tslab kernel is not registered (npm run setup)' : '';
if (why) console.warn(`notebook-renderer test skipped: ${why}`);
const SHOTS = process.env.SEQPE_SHOTS_DIR ?? path.join(ROOT, '.cache/shots');

/** The executed chapter with the most plotly outputs (a test input that follows the committed notebooks). */
function pickNotebook(): { file: string; plotly: number } {
  let best = { file: '', plotly: 0 };
  for (const f of fs.readdirSync(path.join(ROOT, 'notebooks')).filter((n) => /^\d\d-.*\.ipynb$/.test(n)).sort()) {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', f), 'utf8'));
    let n = 0;
    for (const c of nb.cells) for (const o of c.outputs ?? []) if (o.data?.[MIME] !== undefined) n++;
    if (n > best.plotly) best = { file: f, plotly: n };
  }
  return best;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(why !== '')('classic Notebook plotly renderer (scripts/nbextension)', () => {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let log = '';
  let base = '';
  const token = `seqpe-test-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seqpe-nbext-'));
  const chosen = pickNotebook();

  beforeAll(async () => {
    expect(chosen.plotly, 'no committed notebook has a plotly output to test with').toBeGreaterThan(0);
    // a copy in a scratch folder: the Notebook may write checkpoints or save trust next to what it opens
    fs.copyFileSync(path.join(ROOT, 'notebooks', chosen.file), path.join(dir, chosen.file));
    const install = spawnSync('bash', [path.join(ROOT, 'scripts/nbextension/install.sh')], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn('bash', [path.join(ROOT, 'scripts/jupyter-notebook.sh'), '--no-browser', '--ip=127.0.0.1',
      `--port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, `--notebook-dir=${dir}`], {
      cwd: ROOT, env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    server.stdout!.on('data', (d) => { log += d; });
    server.stderr!.on('data', (d) => { log += d; });
    // ready when the API answers
    const t0 = Date.now();
    for (;;) {
      if (server.exitCode !== null) throw new Error(`jupyter notebook exited with ${server.exitCode}:\n${log}`);
      try {
        const r = await fetch(`${base}/api/status?token=${token}`);
        if (r.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() - t0 > 60_000) throw new Error(`jupyter notebook did not answer within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    if (server?.pid && server.exitCode === null) {
      process.kill(-server.pid, 'SIGTERM');   // its own process group: the server and the kernel it started
      await new Promise((r) => setTimeout(r, 500));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says why it adds --allow-root, when run as root', () => {
    if (process.getuid?.() === 0) expect(log).toContain('adding --allow-root');
    else expect(log).not.toContain('--allow-root');
  });

  it('draws every plotly output of an executed chapter interactively, offline', async () => {
    const { page, problems } = await watchedPage(browser!);
    const outside: string[] = [];
    page.on('request', (r) => { if (/^(https?|wss?):/.test(r.url()) && !r.url().startsWith(base)) outside.push(r.url()); });
    await page.goto(`${base}/notebooks/${encodeURIComponent(chosen.file)}?token=${token}`,
      { waitUntil: 'domcontentloaded', timeout: 120_000 });   // 'load' waits for MathJax & co: slow on a busy machine
    await page.waitForFunction((n) => document.querySelectorAll('.output_seqpe_plotly .js-plotly-plot').length >= n,
      chosen.plotly, { timeout: 120_000 });
    const drawn = await page.evaluate(() => ({
      ours: document.querySelectorAll('.output_seqpe_plotly .js-plotly-plot').length,
      anyPlotly: document.querySelectorAll('.js-plotly-plot').length,
      traces: [...document.querySelectorAll('.output_seqpe_plotly .js-plotly-plot')].map((d) =>
        (d as unknown as { data?: unknown[] }).data?.length ?? 0),
      pngsInPlotlyOutputs: document.querySelectorAll('.output_seqpe_plotly img').length,
    }));
    expect(drawn.ours).toBe(chosen.plotly);
    expect(drawn.anyPlotly).toBe(chosen.plotly);
    expect(drawn.traces.every((t) => t > 0)).toBe(true);
    expect(drawn.pngsInPlotlyOutputs).toBe(0);
    const hover = await hoverFirstPlot(page, '.output_seqpe_plotly');
    expect(hover, 'plotly showed no hover label over the first figure').toBeTruthy();
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('.output_seqpe_plotly .js-plotly-plot').first().screenshot({
      path: path.join(SHOTS, `classic-notebook-plotly-${chosen.file.slice(0, 2)}-hover.png`) });
    await page.screenshot({ path: path.join(SHOTS, `classic-notebook-plotly-${chosen.file.slice(0, 2)}.png`) });
    expect(outside, 'the Notebook page fetched something from outside the local server').toEqual([]);
    expect(problems.filter((p) => /seqpe-plotly|plotly/i.test(p))).toEqual([]);
  });
});
