/**
 * Tables and figures of each experiment, regenerated from cached run results (never trains). Everything lands in
 * figures/<profile>/: <name>.csv/.md (tables, built as danfojs DataFrames), <name>.png/.html (figures), and SUMMARY.md
 * with every table of the profile. Long-form per-seed CSVs (`*-runs.csv`) keep the raw numbers behind each mean ± spread.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Profile } from './profiles';
import type { LmRunConfig, QaRunConfig, RunConfig, VitRunConfig } from './configs';
import { lmSeqpe, lmRunConfig, vitMethods, vitRunConfig } from './configs';
import { EXPERIMENTS, getExperiment } from './catalog';
import { readRunResult, runDir } from './cache';
import type { LmResult } from './runners/lm';
import type { QaResult } from './runners/qa';
import type { VitResult } from './runners/vit';
import { projectPath } from '../util/paths';
import { SEQPE_TERMS } from '../encodings/seqpe/index';
import { logLoss } from '../train/progress';
import { groupSeeds, pivotWide } from '../report/aggregate';
import { meanSpread, toFrame, writeTable, type Row } from '../report/tables';
import { heatmap, lineChart, multiPanel, type Figure, type LineChartOptions } from '../report/figure';
import { renderFigure } from '../report/render';

export function figuresDir(p: Profile): string {
  return process.env.SEQPE_FIGURES_DIR ? path.resolve(process.env.SEQPE_FIGURES_DIR, p.name) : projectPath('figures', p.name);
}

/**
 * A run's cached result, validated (cache.ts readRunResult → result-check.ts): a missing or damaged result.json is an
 * error naming the file and what is wrong with it, never a table cell of null or NaN. `npm run reproduce` plans such a
 * run again (run.ts planRuns), so the message says so.
 */
function result<T>(cfg: RunConfig): T {
  const dir = runDir(cfg.kind, cfg);
  const r = readRunResult<T>(dir, cfg.kind);
  const what = `${cfg.kind} · ${cfg.method.label} · seed ${cfg.seed}`;
  if (r.status === 'missing') throw new Error(`missing result ${r.file} (${what}); run the experiment first`);
  if (r.status === 'invalid') throw new Error(`damaged result ${r.file} (${what}): ${r.problem}; not rendered. npm run reproduce trains that run again`);
  return r.result;
}

export interface ReportOutput {
  tables: Array<{ name: string; markdown: string; caption: string }>;
  figures: string[];
}

async function figure(p: Profile, name: string, fig: Figure, out: ReportOutput, width = 900, height = 520): Promise<void> {
  const dir = figuresDir(p);
  const r = await renderFigure(fig, { pngPath: path.join(dir, `${name}.png`), htmlPath: path.join(dir, `${name}.html`), width, height });
  if (r.pngSkipped) console.warn(`figure ${name}: ${r.pngSkipped}`);
  out.figures.push(name);
}

function table(p: Profile, name: string, rows: Row[], caption: string, out: ReportOutput, digits = 2): void {
  const df = toFrame(rows); // tables are built as danfojs DataFrames
  const files = writeTable(df, path.join(figuresDir(p), name), { formats: ['csv', 'md'], digits });
  out.tables.push({ name, caption, markdown: fs.readFileSync(files.md!, 'utf8') });
}

function rawCsv(p: Profile, name: string, rows: Row[]): void {
  writeTable(toFrame(rows), path.join(figuresDir(p), name), { formats: ['csv'] });
}

const ratioLabel = (len: number, base: number): string => `${len} (${len / base}×)`;

/**
 * One metric of several methods at several x values (lengths, resolutions): seeds collapsed to mean ± spread, written
 * as a wide table (a column per x) and drawn as a line chart with the spread as error bars.
 */
interface MetricReport {
  name: string;
  /** Long-form rows: method, seed, the x column, the value column. */
  rows: Row[];
  x: string;
  value: string;
  column: (x: number) => string;
  caption: string;
  digits: number;
  chart: Omit<LineChartOptions, 'series'>;
}

async function metricReport(p: Profile, out: ReportOutput, m: MetricReport): Promise<void> {
  const agg = groupSeeds(m.rows, { by: ['method', m.x], values: [m.value], digits: m.digits }); // a danfojs groupby
  const methods = [...new Set(agg.map((r) => String(r.method)))];
  const xs = [...new Set(agg.map((r) => Number(r[m.x])))].sort((a, b) => a - b);
  const cell = (method: string, x: number): Row | undefined => agg.find((a) => a.method === method && a[m.x] === x);
  table(p, m.name, pivotWide(agg, { index: 'method', columns: m.x, value: m.value, label: m.column }), m.caption, out, m.digits);
  await figure(p, m.name, lineChart({
    ...m.chart,
    series: methods.map((method) => ({
      name: method,
      x: xs,
      y: xs.map((x) => Number(cell(method, x)?.[`${m.value}_mean`])),
      spread: xs.map((x) => Number(cell(method, x)?.[`${m.value}_spread`] ?? 0)),
    })),
  }), out);
}

// ------------------------------------------------------------------------------------------------ LM perplexity

function lmTable(p: Profile, runs: LmRunConfig[], out: ReportOutput, name: string, caption: string): Promise<void> {
  const T = p.lm.seqLen;
  const long: Row[] = [];
  for (const cfg of runs) {
    // `displayOf`: the cached run a relabelled row stands for (its label is part of the config hash).
    const r = result<LmResult>((cfg as LmRunConfig & { displayOf?: LmRunConfig }).displayOf ?? cfg);
    for (const x of r.ppl) long.push({ method: cfg.method.label, seed: cfg.seed, length: x.length, ppl: x.ppl, tokens: x.tokens });
  }
  rawCsv(p, `${name}-runs`, long);
  return metricReport(p, out, {
    name, rows: long, x: 'length', value: 'ppl', column: (L) => ratioLabel(L, T), caption, digits: 2,
    chart: {
      title: `${caption} [${p.name}]`,
      xTitle: 'evaluation length (tokens)',
      yTitle: 'test perplexity (bytes)',
      log2X: true,
      logY: true,
      vlines: [{ x: T, label: 'train length' }],
    },
  });
}

// ------------------------------------------------------------------------------------------------ QA

async function qaReport(p: Profile, out: ReportOutput): Promise<void> {
  const runs = getExperiment('qa-extrapolation').runs(p) as QaRunConfig[];
  const long: Row[] = [];
  for (const cfg of runs) {
    const r = result<QaResult>(cfg);
    for (const x of r.byLength) {
      long.push({
        method: cfg.method.label, seed: cfg.seed, length: x.length, em: x.em, emGreedy: x.emGreedy ?? null,
        answerPpl: x.answerNll === undefined ? null : Math.exp(x.answerNll), examples: x.examples,
      });
    }
  }
  rawCsv(p, 'qa-extrapolation-runs', long);
  const L0 = p.qa.length;
  await metricReport(p, out, {
    name: 'qa-extrapolation', rows: long, x: 'length', value: 'em', column: (L) => ratioLabel(L, L0),
    caption: 'Needle QA exact match (%) by context length', digits: 1,
    chart: {
      title: `Needle QA exact match by context length [${p.name}]`,
      xTitle: 'context length (tokens)',
      yTitle: 'exact match (%)',
      log2X: true,
      vlines: [{ x: L0, label: 'fine-tune length' }],
    },
  });
  // Answer perplexity (the paper's second QA metric): graded where exact match is all-or-nothing.
  await metricReport(p, out, {
    name: 'qa-answer-ppl', rows: long, x: 'length', value: 'answerPpl', column: (L) => ratioLabel(L, L0),
    caption: 'Needle QA answer perplexity (per answer byte; 10 = guessing among the ten digits) by context length', digits: 2,
    chart: {
      title: `Needle QA answer perplexity by context length [${p.name}]`,
      xTitle: 'context length (tokens)',
      yTitle: 'answer perplexity (bytes)',
      log2X: true,
      logY: true,
      vlines: [{ x: L0, label: 'fine-tune length' }],
    },
  });
}

// ------------------------------------------------------------------------------------------------ ViT

async function vitReport(p: Profile, out: ReportOutput): Promise<void> {
  const runs = getExperiment('vit-resolution').runs(p) as VitRunConfig[];
  const long: Row[] = [];
  for (const cfg of runs) {
    const r = result<VitResult>(cfg);
    for (const x of r.accuracy) long.push({ method: cfg.method.label, seed: cfg.seed, size: x.size, grid: x.grid, accuracy: x.accuracy });
  }
  rawCsv(p, 'vit-resolution-runs', long);
  const patch = p.vit.patch;
  await metricReport(p, out, {
    name: 'vit-resolution', rows: long, x: 'size', value: 'accuracy', column: (px) => `${px} px (${px / patch}×${px / patch})`,
    caption: 'MNIST top-1 accuracy (%) by test resolution (trained at 28 px, 7×7 patches)', digits: 1,
    chart: {
      title: `Top-1 accuracy by test resolution [${p.name}]`,
      xTitle: 'test image side (px); trained at 28',
      yTitle: 'top-1 accuracy (%)',
      vlines: [{ x: p.vit.nativeSize, label: 'train resolution' }],
    },
  });
}

// ------------------------------------------------------------------------------------------------ similarity maps

async function similarityReport(p: Profile, out: ReportOutput): Promise<void> {
  const T = p.lm.seqLen;
  const lmCfgs = getExperiment('similarity-maps').runs(p).filter((c): c is LmRunConfig => c.kind === 'lm');
  const rows: Row[] = [];
  const panels: Figure[] = [];
  const titles: string[] = [];
  for (const cfg of lmCfgs) {
    const r = result<LmResult>(cfg);
    rows.push({ method: cfg.method.label, inside: r.awareness.inside, beyond: r.awareness.beyond, far: r.awareness.far ?? null });
    const m = r.maps[0];
    if (!m) continue; // NoPE: nothing to draw
    const z: number[][] = [];
    for (let i = 0; i < m.size; i++) z.push(m.values.slice(i * m.size, (i + 1) * m.size));
    const ticks = Array.from({ length: m.size }, (_, i) => i * m.stride);
    panels.push(heatmap({ z, x: ticks, y: ticks, colorscale: 'Viridis' }));
    titles.push(`${cfg.method.label} (${m.source})`);
  }
  table(p, 'similarity-1d-awareness', rows,
    `Distance awareness of 1-D position similarity (mean Spearman ρ of similarity vs −distance; 1 = perfectly distance-aware): inside [0, ${T}), beyond [${T}, ${4 * T}) of a ${4 * T}-token window, and a far window [${16 * T}, ${17 * T})`,
    out, 3);
  await figure(p, 'similarity-1d', multiPanel(panels, { columns: 3, titles, title: `Position similarity over positions 0…${4 * T - 1} (trained at ${T}) [${p.name}]` }), out, 1200, 820);

  const vitCfgs = getExperiment('similarity-maps').runs(p).filter((c): c is VitRunConfig => c.kind === 'vit');
  const vrows: Row[] = [];
  const vpanels: Figure[] = [];
  const vtitles: string[] = [];
  for (const cfg of vitCfgs) {
    const r = result<VitResult>(cfg);
    vrows.push({ method: cfg.method.label, train_grid: r.awareness.train, largest_grid: r.awareness.largest });
    const grids = [...new Set(r.maps.map((m) => m.grid))];
    for (const g of grids) {
      const m = r.maps.find((x) => x.grid === g && x.query[0] === Math.floor(g / 2) && x.query[1] === Math.floor(g / 2))!;
      vpanels.push(heatmap({ z: m.values, colorscale: 'Hot' }));
      vtitles.push(`${cfg.method.label}: ${g}×${g}, query (${m.query.join(',')})`);
    }
  }
  table(p, 'similarity-2d-awareness', vrows, 'Distance awareness of 2-D patch-position similarity on the 7×7 training grid and the 21×21 grid', out, 3);
  await figure(p, 'similarity-2d', multiPanel(vpanels, { columns: 4, titles: vtitles, title: `Patch-position similarity to the centre patch [${p.name}]` }), out, 1400, 700);
}

// ------------------------------------------------------------------------------------------------ training curves

function readLog(cfg: RunConfig): Array<Record<string, number>> {
  const file = path.join(runDir(cfg.kind, cfg), 'log.jsonl');
  if (!fs.existsSync(file)) throw new Error(`missing training log ${file}`);
  const byStep = new Map<number, Record<string, number>>();
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: Record<string, number>;
    try {
      r = JSON.parse(line) as Record<string, number>;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: unreadable log line (${(e as Error).message})`);
    }
    if (!Number.isSafeInteger(r?.step)) throw new Error(`${file}:${i + 1}: log line has step ${JSON.stringify(r?.step)}; expected an integer`);
    byStep.set(r.step, r); // a resumed run may log a step twice; keep the last
  });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

async function curvesReport(p: Profile, out: ReportOutput): Promise<void> {
  const cfgs: Array<[string, RunConfig]> = [
    ['LM (SeqPE)', lmRunConfig(p, lmSeqpe(p), p.seeds[0])],
    ['ViT (SeqPE)', vitRunConfig(p, vitMethods(p)[3], p.seeds[0])],
  ];
  const panels: Figure[] = [];
  const titles: string[] = [];
  for (const [label, cfg] of cfgs) {
    const log = readLog(cfg);
    const series: Array<[string, (r: Record<string, number>) => number | undefined]> = [
      ['task loss', (r) => r.lossTask],
      ...SEQPE_TERMS.map((t): [string, (r: Record<string, number>) => number | undefined] => [t.label, (r) => logLoss(r, t.name)]),
    ];
    for (const [name, get] of series) {
      const rs = log.filter((r) => typeof get(r) === 'number');
      panels.push(lineChart({ series: [{ name: `${label} ${name}`, x: rs.map((r) => r.step), y: rs.map((r) => get(r)!) }], markers: false }));
      titles.push(`${label}: ${name}`);
    }
  }
  await figure(p, 'training-curves', multiPanel(panels, { columns: 3, titles, title: `Training curves of the SeqPE runs [${p.name}]` }), out, 1300, 700);
}

// ------------------------------------------------------------------------------------------------ ablations

async function ablationReport(p: Profile, out: ReportOutput): Promise<void> {
  const runs = (getExperiment('ablations').runs(p) as LmRunConfig[]).map((c) =>
    c.method.label === 'SeqPE' ? { ...c, method: { ...c.method, label: 'SeqPE (full)' }, displayOf: c } : { ...c, displayOf: c },
  );
  await lmTable(p, runs, out, 'ablations', 'Ablations of SeqPE (LM test perplexity by evaluation length)');
}

async function architectureReport(p: Profile, out: ReportOutput): Promise<void> {
  const mod = await import('./figure1/index');
  await figure(p, 'architecture', mod.architectureFigure(), out, 1400, 700);
}

const REPORTS: Record<string, (p: Profile, out: ReportOutput) => Promise<void>> = {
  'lm-extrapolation': (p, out) =>
    lmTable(p, getExperiment('lm-extrapolation').runs(p) as LmRunConfig[], out, 'lm-extrapolation', 'LM test perplexity by evaluation length'),
  'qa-extrapolation': qaReport,
  'vit-resolution': vitReport,
  ablations: ablationReport,
  'similarity-maps': similarityReport,
  'training-curves': curvesReport,
  architecture: architectureReport,
};

/** Regenerates the named experiments' outputs and rewrites figures/<profile>/SUMMARY.md from every table present. */
export async function writeReports(p: Profile, names: string[]): Promise<ReportOutput> {
  const out: ReportOutput = { tables: [], figures: [] };
  for (const n of names) {
    const fn = REPORTS[n];
    if (!fn) throw new Error(`no report for experiment ${n}`);
    await fn(p, out);
  }
  writeSummary(p);
  return out;
}

function writeSummary(p: Profile): void {
  const dir = figuresDir(p);
  const lines = [`# Reproduction outputs — profile \`${p.name}\``, '', `> ${p.caveat}`, '',
    'Generated by `npm run reproduce`; do not edit by hand. Interpretation and verdicts: REPRODUCTION.md.', ''];
  for (const e of EXPERIMENTS) {
    lines.push(`## ${e.name}: ${e.title}`, '', `Paper counterpart: ${e.paper}.`, '');
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
      const prefix = e.name === 'similarity-maps' ? 'similarity' : e.name === 'qa-extrapolation' ? 'qa-' : e.name;
      if (f.startsWith(prefix) && f.endsWith('.md') && !f.endsWith('-runs.md')) {
        lines.push(fs.readFileSync(path.join(dir, f), 'utf8').trim(), '');
      }
      if (f.startsWith(prefix) && f.endsWith('.png')) lines.push(`![${f}](${f})`, '');
    }
  }
  fs.writeFileSync(path.join(dir, 'SUMMARY.md'), lines.join('\n'));
}

export { meanSpread };
