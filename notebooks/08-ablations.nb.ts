// Source of 08-ablations.ipynb (percent format). Build: npx tsx scripts/make-notebook.ts notebooks/08-ablations.nb.ts

// %% [markdown]
// # 8. Ablations: which parts of SeqPE matter?
//
// SeqPE is several ideas at once: positions as digit sequences read by a small encoder, a contrastive objective L_δ
// that makes embedding similarity follow position distance (chapter 3), a distillation objective L_OOD that anchors
// positions beyond the training range to in-range ones, a random shift of the training positions, and a choice of where
// the embeddings enter the model. The official code has a switch for each, and the paper's ablation removes them one at
// a time (spec §2.4: at least "w/o L_δ", "w/o L_OOD", both; probably the random shift). We run those rows plus three
// more the paper leaves open — the apply mode, the encoder depth, and the digit base (the paper only uses base 10) — all
// on the language-modelling task of chapter 5, scored by perplexity from T to the longest evaluation length.
//
// Then the training curves: what the task loss, L_δ and L_OOD do during training.
//
// **Run time:** not measured at the `small` profile yet (its runs were still training when this line was written). With every run of the experiment cached in `results/`, the cells only read results and draw; a missing run is trained first, which takes hours at `small` (see the README).

// %%
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  ablationRuns, type MethodSpec, runExperiments, loadResults, planRuns, readJson, runDir, type LmResult,
  digitCount, showFigure, showMarkdown, showTable, lineChart, multiPanel, PALETTE, meanSpread, closeRenderer,
  logLoss, startChapter,
} from './src/index';

const { profile, showSavedFigure } = await startChapter({ committed: 'small' });

// %% [markdown]
// ## Re-running
//
// Runs are cached under `results/runs/` by configuration. `FORCE_RERUN = true` deletes the cached runs of the two
// experiments of this chapter (the ablation rows, and the SeqPE LM and ViT runs whose training logs the curves come
// from) and trains them again; from a shell: `npm run reproduce -- --profile small --only ablations,training-curves --fresh`.

// %%
const FORCE_RERUN = false;

// %% [markdown]
// ## The switches
//
// Every row is the SeqPE language model of chapter 5 with one thing changed:
//
// * **w/o L_δ** — no contrastive distance objective: nothing asks that nearby positions get similar embeddings; only
//   the language-modelling loss shapes them.
// * **w/o L_OOD** — no distillation: positions beyond T are no longer tied to the similarity pattern of 0…T−1.
// * **w/o L_δ and L_OOD** — the encoder alone, trained only through the task.
// * **w/o random shift** — the task always uses positions 0…T−1 (the regularisers still sample other positions).
// * **apply: input add** — the position vectors are added to the token embeddings (like APE) instead of forming the
//   attention bias p_q·p_k of the paper's LM configuration.
// * **encoder depth 1** — one transformer layer in the position encoder instead of two.
// * **digit base 2 / 16** — positions written in binary or hexadecimal: longer or shorter digit strings, fewer or more
//   symbols.
//
// The table is computed from the run configurations themselves; "changed" lists what differs from the full row.

// %%
const seed0 = profile.ablationSeeds[0];
const variants = ablationRuns(profile).filter((c) => c.seed === seed0);

function switches(m: MethodSpec): Record<string, string> {
  if (m.encoding.name !== 'seqpe') throw new Error(`ablation row ${m.label} is not a SeqPE model`);
  const enc = m.encoding.encoder!;
  const r = m.encoding.objectives;
  return {
    'L_δ': r?.contrastive ? `weight ${r.contrastive.weight}` : 'off',
    'L_OOD': r?.distillation ? `weight ${r.distillation.weight}` : 'off',
    'random shift': r?.shift ? `${100 * (r.shift.rate ?? 0.1)} % of steps` : 'off', // 0.1: the objectives' default rate
    'applied as': m.encoding.mode,
    'encoder layers': String(enc.layers),
    'digit base': String(enc.base),
    'digits per position': String(digitCount(enc.maxPosition ?? profile.lm.seqpeMaxPosition, enc.base)),
  };
}
const fullSwitches = switches(variants[0].method);
showTable(
  variants.map((c) => {
    const s = switches(c.method);
    const changed = Object.keys(s).filter((k) => s[k] !== fullSwitches[k] && k !== 'digits per position');
    return { row: c.method.label === 'SeqPE' ? 'SeqPE (full)' : c.method.label, ...s, changed: changed.length ? changed.join(', ') : '—' };
  }),
  { caption: `Ablation rows at profile ${profile.name} (positions in [0, ${profile.lm.seqpeMaxPosition}); seeds ${profile.ablationSeeds.join(', ')})` },
);

// %% [markdown]
// ## Run the ablations
//
// At the `small` profile each row has **one seed** (nine SeqPE variants × two seeds do not fit the hour on two cores),
// while the main table of chapter 5 has two. A single run cannot show its own noise, so below the seed-to-seed
// differences of chapter 5's runs serve as the yardstick.

// %%
const ablOut = await runExperiments(['ablations'], { profile: profile.name, fresh: FORCE_RERUN });
for (const t of ablOut!.tables) showMarkdown(`**${t.caption}** — ${profile.caveat}.\n\n${t.markdown}`);

// %%
showSavedFigure('ablations');

// %% [markdown]
// ## How big is seed noise?
//
// Two checks from the runs of chapter 5 (used only if they are cached — run notebook 05 first):
//
// 1. **The full row is shared.** The "SeqPE (full)" row has exactly the configuration of chapter 5's SeqPE run (same
//    seed), so the run cache hands both the same run: the comparison below is against the very model of chapter 5.
// 2. **Seed spread.** For every method of chapter 5 with two or more seeds, the relative spread of its perplexity at
//    the longest length, (max − min) / mean over seeds. Its median over methods is the yardstick for "a difference that
//    another seed could produce".

// %%
const lm = profile.lm;
const T = lm.seqLen;
const Lmax = Math.max(...lm.evalLengths);
const pplAt = (r: LmResult, L: number): number => r.ppl.find((p) => p.length === L)!.ppl;
const mainRuns = planRuns(['lm-extrapolation'], profile)
  .filter((r) => r.cached && r.config.kind === 'lm')
  .map((r) => ({ config: r.config, result: readJson<LmResult>(path.join(r.dir, 'result.json'))! }));
const ablation = loadResults<LmResult>('ablations', profile.name);

const fullRow = ablation.find((a) => a.config.method.label === 'SeqPE' && a.config.seed === seed0)!;
const mainSeq = mainRuns.find((r) => r.config.method.label === 'SeqPE' && r.config.seed === seed0);
console.log(
  mainSeq
    ? `the 'SeqPE (full)' row is chapter 5's run ${path.basename(runDir('lm', mainSeq.config))} (same config hash: ${runDir('lm', mainSeq.config) === runDir('lm', fullRow.config)})`
    : `chapter 5's SeqPE run (seed ${seed0}) is not cached at profile ${profile.name}`,
);

const spreadRows: Array<{ method: string; seeds: number; [k: string]: string | number }> = [];
for (const m of [...new Set(mainRuns.map((r) => r.config.method.label))]) {
  const vals = mainRuns.filter((r) => r.config.method.label === m).map((r) => pplAt(r.result, Lmax));
  if (vals.length < 2) continue;
  const mean = vals.reduce((s, x) => s + x, 0) / vals.length;
  spreadRows.push({ method: m, seeds: vals.length, [`ppl at ${Lmax}`]: vals.map((x) => x.toFixed(2)).join(' / '), 'relative spread %': ((100 * (Math.max(...vals) - Math.min(...vals))) / mean).toFixed(2) });
}
const spreads = spreadRows.map((r) => Number(r['relative spread %'])).sort((a, b) => a - b);
const noisePct = spreads.length ? spreads[Math.floor((spreads.length - 1) / 2)] : NaN;
if (spreadRows.length) {
  showTable(spreadRows, { caption: `Seed spread at ${Lmax} tokens (${Lmax / T}T), chapter 5's runs [${profile.name}]` });
  console.log(`yardstick: median relative spread ${noisePct.toFixed(2)} % over ${spreads.length} methods`);
} else {
  console.log(`no method has two cached seeds at profile ${profile.name} (seeds: ${profile.seeds.join(', ')}): no noise yardstick`);
}

// %% [markdown]
// ## Each row against the full model

// %%
const iRows = ablation.filter((a) => a.config.seed === seed0);
/** "+1.23", "-0.45", and "0.00" for anything that rounds to zero (no "-0.00"). */
const signed = (x: number, d = 2): string => (Math.abs(x) < 0.5 * 10 ** -d ? (0).toFixed(d) : `${x > 0 ? '+' : ''}${x.toFixed(d)}`);
const full = fullRow.result;
const cmpRows = iRows.map((a) => {
  const L1 = pplAt(a.result, T);
  const Lk = pplAt(a.result, Lmax);
  const d = (100 * (Lk - pplAt(full, Lmax))) / pplAt(full, Lmax);
  const verdict = a === fullRow ? 'reference' : Number.isNaN(noisePct) ? 'no noise estimate' : Math.abs(d) > noisePct ? (d > 0 ? 'worse, beyond seed noise' : 'better, beyond seed noise') : 'within seed noise';
  return { row: a.config.method.label === 'SeqPE' ? 'SeqPE (full)' : a.config.method.label, pplT: L1, pplMax: Lk, delta: d, verdict };
});
showTable(
  cmpRows.map((r) => ({
    row: r.row,
    'ppl at T': r.pplT.toFixed(2),
    [`ppl at ${Lmax}`]: r.pplMax.toFixed(2),
    [`ppl(${Lmax / T}T) / ppl(T)`]: (r.pplMax / r.pplT).toFixed(3),
    'Δ vs full at the longest length': `${signed(r.delta)} %`,
    verdict: r.verdict,
  })),
  { caption: `Ablations at the longest length (${Lmax} = ${Lmax / T}T), seed ${seed0} [${profile.name}]` },
);

// %% [markdown]
// ## Training curves
//
// The `training-curves` experiment plots, for the SeqPE language model and the SeqPE ViT, the task loss, L_δ and
// L_OOD as logged during training. Two things to know when reading them: L_δ is a cross-entropy over a pivot's
// candidates, so it **starts near ln(number of candidates)** (chance) and falls as the encoder learns which candidate
// is nearest; L_OOD is computed only on **non-shifted steps** (on a shifted step the in-range teacher window is not
// available), so its curve has fewer points. L_OOD starts near 0: at initialisation the similarity distributions of the
// in-range (teacher) and shifted (student) positions are both nearly flat, so they agree; it grows while the in-range
// pattern sharpens, and stays small only if the far positions follow.

// %%
const curvesOut = await runExperiments(['training-curves'], { profile: profile.name, fresh: FORCE_RERUN });
console.log(`figures: ${curvesOut!.figures.join(', ')}`);
showSavedFigure('training-curves');

// %% [markdown]
// The same losses for every ablation row (seed one, moving average over a twentieth of the run): does removing a
// regulariser change how fast the task loss falls, and does each regulariser's own loss behave differently when the
// other one is gone?

// %%
type LogRow = Record<string, number>;
function readLog(dir: string): LogRow[] {
  const file = path.join(dir, 'log.jsonl');
  const byStep = new Map<number, LogRow>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.trim()) {
    const r = JSON.parse(line) as LogRow;
    byStep.set(r.step, r); // a resumed run may log a step twice: keep the last
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
function smooth(xs: number[], w: number): number[] {
  return xs.map((_, i) => {
    const a = Math.max(0, i - w + 1);
    const win = xs.slice(a, i + 1);
    return win.reduce((s, x) => s + x, 0) / win.length;
  });
}
const logs = iRows.map((a) => ({ label: a.config.method.label === 'SeqPE' ? 'SeqPE (full)' : a.config.method.label, rows: readLog(runDir('lm', a.config)) }));
/** A logged loss by name: the task loss, or an objective's (logLoss also reads logs written before the objectives were named). */
const lossOf = (r: LogRow, k: string): number | undefined => (k === 'task' ? r.lossTask : logLoss(r, k));
const curvePanels = ['task', 'contrastive', 'distillation'].map((k) =>
  lineChart({
    series: logs
      .map((l, i) => {
        const rs = l.rows.filter((r) => lossOf(r, k) !== undefined);
        const w = Math.max(1, Math.round(rs.length / 20));
        // A fixed colour per row: a row without L_δ has no L_δ curve, and the colours must not shift between panels.
        return { name: l.label, x: rs.map((r) => r.step), y: smooth(rs.map((r) => lossOf(r, k)!), w), color: PALETTE[i % PALETTE.length] };
      })
      .filter((s) => s.x.length > 0),
    markers: false,
    xTitle: 'step',
  }),
);
await showFigure(
  multiPanel(curvePanels, { titles: ['task loss (nats/byte)', 'L_δ (contrastive)', 'L_OOD (distillation)'], title: `Training curves of the ablation rows [${profile.name}]` }),
  { width: 1300, height: 460 },
);

// %% [markdown]
// ## What mattered at this scale

// %%
const head = (xs: number[]) => xs.slice(0, Math.max(1, Math.round(xs.length / 10)));
const tail = (xs: number[]) => xs.slice(-Math.max(1, Math.round(xs.length / 10)));
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const fullLog = logs.find((l) => l.label === 'SeqPE (full)' || l.label === 'SeqPE')!.rows;
const series = (k: string) => fullLog.map((r) => lossOf(r, k)).filter((v): v is number => v !== undefined);
const lines: string[] = [];
if (profile.name === 'quick') {
  lines.push(`> **Profile \`quick\`: ${profile.caveat}.** With ${lm.steps} training steps every row is still at the unigram stage, so the rows agree to a fraction of a percent and nothing below is a finding.`, '');
}
const ct = series('contrastive');
const tr = series('distillation');
const task = series('task');
lines.push(
  `Full SeqPE over training (first → last tenth of the logged steps): task loss ${avg(head(task)).toFixed(3)} → ${avg(tail(task)).toFixed(3)} nats/byte; ` +
    `L_δ ${avg(head(ct)).toFixed(3)} → ${avg(tail(ct)).toFixed(3)} (chance ln ${lm.ctSize} = ${Math.log(lm.ctSize).toFixed(3)}); ` +
    `L_OOD ${avg(head(tr)).toExponential(2)} → ${avg(tail(tr)).toExponential(2)}.`,
  '',
  `At ${Lmax} tokens (${Lmax / T}T) the full model's perplexity is ${pplAt(full, Lmax).toFixed(2)}. ` +
    (Number.isNaN(noisePct)
      ? `There is no seed-noise estimate at this profile, so no row can be called different.`
      : `Seed noise (median spread over chapter 5's methods) is ${noisePct.toFixed(2)} %.`),
  '',
);
for (const r of cmpRows.filter((x) => x.verdict !== 'reference')) {
  lines.push(`- **${r.row}**: ${signed(r.delta)} % perplexity at ${Lmax} — ${r.verdict}`);
}
const mattered = cmpRows.filter((r) => r.verdict.startsWith('worse'));
const helped = cmpRows.filter((r) => r.verdict.startsWith('better'));
if (!Number.isNaN(noisePct)) {
  lines.push(
    '',
    mattered.length
      ? `**Removing or changing these hurt beyond seed noise:** ${mattered.map((r) => r.row).join(', ')} — the corresponding parts of SeqPE mattered here.`
      : '**No change hurt beyond seed noise**: at this scale none of the ablated components made a difference we can distinguish from another seed.',
    helped.length ? `**These did better than the full model beyond seed noise:** ${helped.map((r) => r.row).join(', ')}.` : '',
    '',
    `With one seed per row, a verdict rests on one run each; treat "beyond seed noise" as a lead to check with more seeds, not as a result.`,
  );
}
showMarkdown(lines.join('\n'));

// %%
await closeRenderer();
console.log(`done; tensors alive: ${tf.memory().numTensors}`);

// %% [markdown]
// ## Try it
//
// **The digit-base ablation's sequence lengths.** The base-2 and base-16 ablations write the same positions with
// more or fewer digits. Predict the number of digits each base needs for the LM's position range, then run.
// (Instant.)

// %%
{
  const range = profile.lm.seqpeMaxPosition;
  for (const base of [2, 10, 16]) console.log(`base ${base}: ${digitCount(range, base)} digits for positions below ${range}`);
}
