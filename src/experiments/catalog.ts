/**
 * The paper's tables and figures as named, typed experiments. Each lists the runs it needs (cached by config hash, shared
 * between experiments: the ablation's full-SeqPE row IS the LM table's SeqPE run) and, once they exist, regenerates its
 * tables (CSV + Markdown via danfojs) and figures (PNG + interactive HTML) under figures/<profile>/.
 */
import type { Profile } from './profiles';
import {
  lmMethods, lmRunConfig, lmSeqpe, qaRunConfig, vitMethods, vitRunConfig,
  type LmRunConfig, type RunConfig,
} from './configs';

export interface Experiment {
  name: string;
  title: string;
  /** What it stands for in the paper (spec §2–§3). */
  paper: string;
  runs(p: Profile): RunConfig[];
}

export function lmRuns(p: Profile): LmRunConfig[] {
  return lmMethods(p).flatMap((m) => p.seeds.map((s) => lmRunConfig(p, m, s)));
}

/** Ablation rows (spec §2.4), plus the digit base the paper leaves open. Each is a SeqPE LM variant. */
export function ablationRuns(p: Profile): LmRunConfig[] {
  const variants = [
    // Same config (label included, as the hash covers it) as the LM table's SeqPE run, so it is trained once;
    // the ablation table shows it as 'SeqPE (full)'.
    lmSeqpe(p, {}, 'SeqPE'),
    lmSeqpe(p, { contrastive: false }, 'w/o L_δ'),
    lmSeqpe(p, { distillation: false }, 'w/o L_OOD'),
    lmSeqpe(p, { contrastive: false, distillation: false }, 'w/o L_δ and L_OOD'),
    lmSeqpe(p, { shift: false }, 'w/o random shift'),
    lmSeqpe(p, { mode: 'input_add' }, 'apply: input add'),
    lmSeqpe(p, { layers: 1 }, 'encoder depth 1'),
    lmSeqpe(p, { base: 2 }, 'digit base 2'),
    lmSeqpe(p, { base: 16 }, 'digit base 16'),
  ];
  return variants.flatMap((m) => p.ablationSeeds.map((s) => lmRunConfig(p, m, s)));
}

export const EXPERIMENTS: Experiment[] = [
  {
    name: 'lm-extrapolation',
    title: 'Language modelling: perplexity when evaluating at 1×–32× the training length',
    paper: 'Table "LM perplexity, extrapolation" (spec §2.1) and its perplexity-vs-length figure',
    runs: (p) => lmRuns(p),
  },
  {
    name: 'qa-extrapolation',
    title: 'Long-context QA: exact match at 1×–16× the fine-tuning length, each fine-tuned from its own LM',
    paper: 'Table "long-context QA" (spec §2.2) and its EM-vs-length figure',
    runs: (p) => lmRuns(p).map((lm) => qaRunConfig(p, lm)),
  },
  {
    name: 'vit-resolution',
    title: 'Image classification: top-1 accuracy at 1×–3× the training resolution per side',
    paper: 'Table "ImageNet resolution extrapolation" (spec §2.3) and its accuracy-vs-resolution figure',
    runs: (p) => vitMethods(p).flatMap((m) => p.seeds.map((s) => vitRunConfig(p, m, s))),
  },
  {
    name: 'ablations',
    title: 'Ablations: contrastive and distillation objectives, random shift, apply mode, encoder depth, digit base',
    paper: 'Ablation table(s) (spec §2.4); the digit base is our addition',
    runs: (p) => ablationRuns(p),
  },
  {
    name: 'similarity-maps',
    title: 'Position-embedding similarity inside and beyond the training range (1-D and 2-D)',
    paper: 'The heatmap figures (spec §3, Fig. 2+)',
    runs: (p) => [
      ...lmRuns(p).filter((r) => r.seed === p.seeds[0]),
      ...vitMethods(p).map((m) => vitRunConfig(p, m, p.seeds[0])),
    ],
  },
  {
    name: 'training-curves',
    title: 'Training curves of the task loss, L_δ and L_OOD',
    paper: 'Training curves (spec §3, inferred)',
    runs: (p) => [lmRunConfig(p, lmSeqpe(p), p.seeds[0]), vitRunConfig(p, vitMethods(p)[3], p.seeds[0])],
  },
  {
    name: 'architecture',
    title: 'Fig. 1: architecture and objectives, drawn from a real position’s digits',
    paper: 'Figure 1',
    runs: () => [],
  },
];

export function getExperiment(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new Error(`unknown experiment ${JSON.stringify(name)}; expected one of ${EXPERIMENTS.map((x) => x.name).join(', ')}`);
  return e;
}

/** Dependencies between runs: a QA run needs its base LM run. */
export function runDependencies(cfg: RunConfig): RunConfig[] {
  return cfg.kind === 'qa' ? [cfg.base] : [];
}
