/**
 * The one training loop, for every task (LM, QA fine-tuning, image classification) and every position encoding.
 *
 * Per update s = 1..steps:
 *   lr        = base lr of each group × schedule factor(s − 1)
 *   plan      = objectives.plan(s)  — the encoding's own objectives, if it has any (SeqPE: window shift, contrastive
 *               pivots/candidates, distillation students); the loop never looks inside a plan
 *   batch     = task.nextBatch(dataRng, s)
 *   L         = L_task + Σ_name w_name·L_name over the objectives' named losses (SeqPE: w_ct·L_δ + w_ood·L_OOD), all from
 *               ONE forward pass (the extra positions ride along in the same encoding call), gradients by
 *               tf.variableGrads
 *   guard     : a NaN/∞ loss term or gradient norm stops the run before any weight changes (TrainingDivergedError,
 *               naming the step and the term); the last checkpoint on disk stays the last good one. The terms and the
 *               group norms are stacked and read from the device ONCE per step, asynchronously in run() (stepAsync()), so
 *               the same loop runs on engines that cannot read synchronously (webgpu in Node); checkpoints too.
 *   clip      : the 'main' and 'pe' groups by their own global norms (5.0 each by default, spec §1.8)
 *   update    : AdamW with per-group lr
 *   report    : progress line / JSONL / callback; checkpoint every `checkpoint.every` updates and at the end
 *
 * Determinism: one seed → the loop's Rngs (data, dropout) and the samplers' seeds; the same seed on the same backend
 * gives the same loss sequence, and a run resumed from a checkpoint continues it exactly (weights, AdamW moments, every
 * Rng and sampler state, and the encoding's own dropout stream are saved).
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import type { EncodingObjectives, ObjectivePlan } from '../encodings/types';
import { engineStepEnd } from '../backend';
import type { ParamGroup, SavedTensor } from '../models/params';
import type { TrainableModel } from '../models/types';
import { Rng, type RngState } from '../util/rng';
import { AdamW, type AdamWState } from './adamw';
import { assertSameConfig, loadCheckpoint, saveCheckpoint, type CheckpointData } from './checkpoint';
import { clipGroups } from './clip';
import { ProgressReporter, type StepReport } from './progress';
import { checkConfig, type TrainConfig, type TrainResult } from './config';
import { TrainingDivergedError } from './diverged';
import { stopDeadline, TrainingPausedError } from './paused';
import { lrFactor } from './schedule';
import type { Task } from './tasks';

export type { TrainConfig, TrainResult } from './config';
export { TrainingDivergedError } from './diverged';
export { TrainingPausedError } from './paused';

const FORMAT = 'seqpe-train-v1';

/** An update between its device half and its host read (see Trainer.prepare). */
interface PreparedStep {
  s: number;
  t0: number;
  lr: Record<ParamGroup, number>;
  plan: ObjectivePlan | undefined;
  read: tf.Tensor1D;
  grads: Map<string, tf.Tensor>;
  termKeys: string[];
  dispose(): void;
}

export class Trainer<M extends TrainableModel, B> {
  readonly config: TrainConfig;
  readonly optimizer: AdamW;
  /** The encoding's own objectives (SeqPE's contrastive and distillation losses, random shift), if it has any. */
  readonly objectives?: EncodingObjectives;
  /** Reports of the updates run in this process. */
  readonly reports: StepReport[] = [];
  private readonly dataRng: Rng;
  private readonly dropoutRng: Rng;
  private readonly progress: ProgressReporter;
  private readonly clipLimits: Record<ParamGroup, number>;
  private readonly nameOfVar: Map<string, string>;
  private done = 0;
  private startStep = 0;
  private lastCkpt?: { path: string; step: number };
  /** The last update's total loss as stored in the checkpoint resumed from (a resumed finished run runs no update). */
  private resumedLoss?: number;

  constructor(
    readonly model: M,
    readonly task: Task<M, B>,
    config: TrainConfig,
  ) {
    checkConfig(config);
    this.config = config;
    const params = model.params.list();
    this.optimizer = new AdamW(params, { beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay });
    this.nameOfVar = new Map(params.map((p) => [p.variable.name, p.name] as const));
    const master = new Rng(config.seed);
    this.dataRng = master.fork(1);
    this.dropoutRng = master.fork(2);
    // What is left of the master stream seeds the encoding's objectives (SeqPE draws its three sampler seeds from it).
    this.objectives = model.encoding.objectives?.({ layout: task.layout(), rng: master });
    this.clipLimits = { main: config.clip?.main ?? 5, pe: config.clip?.pe ?? 5 };
    this.progress = new ProgressReporter(config.progress);
  }

  /** Updates completed so far. */
  get step(): number {
    return this.done;
  }

  get lastCheckpoint(): { path: string; step: number } | undefined {
    return this.lastCkpt;
  }

  private lrs(step: number): Record<ParamGroup, number> {
    const s = this.config.schedule ?? { kind: 'constant' as const };
    const f = lrFactor(step - 1, { ...s, totalSteps: s.totalSteps ?? this.config.steps });
    return { main: this.config.lr * f, pe: (this.config.peLr ?? this.config.lr) * f };
  }

  /**
   * Runs one update and returns its report, reading the step's values synchronously: engines with host memory only
   * (wasm, cpu, tensorflow). run() uses stepAsync(), which works on every engine; both give the same numbers.
   */
  stepOnce(): StepReport {
    const p = this.prepare();
    let read: Float32Array;
    try {
      read = p.read.dataSync() as Float32Array;
    } catch (e) {
      p.dispose();
      throw e;
    }
    return this.finish(p, read);
  }

  /** One update with the step's single host read done asynchronously (every engine; webgpu needs it in Node). */
  async stepAsync(): Promise<StepReport> {
    const p = this.prepare();
    let read: Float32Array;
    try {
      read = (await p.read.data()) as Float32Array;
    } catch (e) {
      p.dispose();
      throw e;
    }
    return this.finish(p, read);
  }

  /**
   * The device half of an update: loss, gradients, clipping, and the stacked values to read ([loss, task, …objective
   * terms, ‖g_main‖, ‖g_pe‖]); no weight changes yet. The caller reads `read` (sync or async) and passes it to finish().
   */
  private prepare(): PreparedStep {
    const s = this.done + 1;
    const t0 = performance.now();
    const lr = this.lrs(s);
    const plan: ObjectivePlan | undefined = this.objectives?.plan(s);
    const layout = this.task.layout(plan?.start);
    const batch = this.task.nextBatch(this.dataRng, s);
    const kept: Record<string, tf.Scalar> = {};
    let termKeys: string[] = [];
    const gradNames: string[] = [];
    try {
      // tidy keeps the tensors of what it returns (arrays and plain objects, not Maps): the read and the clipped grads.
      const out = tf.tidy(() => {
        const vars = this.model.params.variables();
        const { value, grads } = tf.variableGrads(() => {
          const out = this.task.loss(this.model, batch, {
            step: s,
            training: true,
            layout,
            rng: this.dropoutRng,
            encoding: plan && plan.extraPositions.length > 0 ? { extraPositions: plan.extraPositions } : undefined,
          });
          if (out.loss.rank !== 0) throw new Error(`task '${this.task.name}' returned a loss of shape [${out.loss.shape}], expected a scalar`);
          kept.task = tf.keep(out.loss);
          let total: tf.Scalar = out.loss;
          if (plan && this.objectives) {
            const losses = this.objectives.losses(out.encoding, plan);
            // Summed by name, in the objectives' own term order; a term without a weight this step is not added.
            for (const { name } of this.objectives.terms) {
              const l = losses[name];
              if (!l) continue;
              kept[name] = tf.keep(l);
              total = total.add(l.mul(plan.weights[name] ?? 0));
            }
          }
          return total;
        }, vars);
        const byName = new Map<string, tf.Tensor>();
        for (const [vn, g] of Object.entries(grads)) byName.set(this.nameOfVar.get(vn)!, g);
        const clipped = clipGroups(byName, this.model.params.list(), this.clipLimits);
        termKeys = ['task', ...(this.objectives?.terms.map((t) => t.name).filter((n) => n in kept) ?? [])];
        const read = tf.stack([value, ...termKeys.map((k) => kept[k]), clipped.norms.main, clipped.norms.pe]) as tf.Tensor1D;
        const list: tf.Tensor[] = [];
        for (const [n, g] of clipped.grads) {
          gradNames.push(n);
          list.push(g);
        }
        return { read, list };
      });
      const grads = new Map<string, tf.Tensor>(gradNames.map((n, i) => [n, out.list[i]] as const));
      return {
        read: out.read,
        grads,
        termKeys,
        s,
        t0,
        lr,
        plan,
        dispose: () => {
          out.read.dispose();
          for (const g of out.list) g.dispose();
        },
      };
    } finally {
      Object.values(kept).forEach((t) => t.dispose());
    }
  }

  /** The host half: the NaN guard on the values read, then the AdamW update and the report. */
  private finish(p: PreparedStep, read: Float32Array): StepReport {
    const { s, termKeys } = p;
    let values: Record<string, number>;
    let norms: Record<ParamGroup, number>;
    try {
      values = { loss: read[0] };
      termKeys.forEach((k, i) => (values[k] = read[1 + i]));
      norms = { main: read[1 + termKeys.length], pe: read[2 + termKeys.length] };
      // Name the first non-finite term, the components before the total, then the gradient norms.
      for (const k of [...termKeys, 'loss']) {
        if (!Number.isFinite(values[k])) throw new TrainingDivergedError(s, this.termLabel(k), this.labelled(values), this.lastCkpt);
      }
      for (const g of ['main', 'pe'] as const) {
        if (!Number.isFinite(norms[g])) {
          throw new TrainingDivergedError(s, `gradient norm (${g})`, { ...this.labelled(values), [`gradient norm (${g})`]: norms[g] }, this.lastCkpt);
        }
      }
      this.optimizer.apply(p.grads, p.lr);
    } finally {
      p.dispose();
    }
    engineStepEnd();
    this.done = s;
    const ms = performance.now() - p.t0;
    const total = this.config.steps;
    const report: StepReport = {
      step: s,
      totalSteps: total,
      loss: values.loss,
      lossTask: values.task,
      objectives: objectiveValues(values),
      lr: p.lr.main,
      gradNorm: norms,
      shifted: p.plan?.shifted ?? false,
      ms,
      unit: this.task.unit,
      itemsPerSec: this.task.itemsPerBatch / (ms / 1000),
      etaSec: this.progress.eta(ms, s, total),
      logged: this.progress.isLogged(s, total),
    };
    this.reports.push(report);
    this.progress.report(report);
    return report;
  }

  /** Display label of a value key: 'L_task', the objectives' own labels, 'the total loss'. */
  private termLabel(k: string): string {
    if (k === 'task') return 'L_task';
    if (k === 'loss') return 'the total loss';
    return this.objectives?.terms.find((t) => t.name === k)?.label ?? k;
  }

  private labelled(v: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, x] of Object.entries(v)) out[this.termLabel(k)] = x;
    return out;
  }

  /** Runs (or resumes, per config.resumeFrom) up to config.steps updates. */
  async run(): Promise<TrainResult> {
    const t0 = performance.now();
    const resume = this.config.resumeFrom;
    if (resume) {
      const file = resume === 'auto' ? this.config.checkpoint?.path : resume;
      if (resume === 'auto' && !file) throw new Error("resumeFrom: 'auto' needs checkpoint.path");
      if (file && (resume !== 'auto' || fs.existsSync(file))) {
        this.load(file);
        this.progress.note(`resumed from ${file} at step ${this.done}`);
      }
    }
    this.startStep = this.done;
    const ck = this.config.checkpoint;
    // A process deadline (SEQPE_STOP_AT): checkpoint and stop before it, with TrainingPausedError (needs a checkpoint path).
    const deadline = stopDeadline();
    if (deadline !== undefined && !ck) throw new Error('SEQPE_STOP_AT is set but this run has no checkpoint path to pause into');
    try {
      while (this.done < this.config.steps) {
        const r = await this.stepAsync();
        if (ck && (r.step % ck.every === 0 || r.step === this.config.steps)) await this.saveAsync(ck.path);
        else if (ck && deadline !== undefined && Date.now() >= deadline) {
          await this.saveAsync(ck.path);
          throw new TrainingPausedError(r.step, this.config.steps, ck.path);
        }
        if (ck && deadline !== undefined && Date.now() >= deadline && r.step < this.config.steps) {
          throw new TrainingPausedError(r.step, this.config.steps, ck.path);
        }
        await new Promise<void>((res) => setImmediate(res)); // let notebooks and timers breathe
      }
    } finally {
      this.progress.finish();
    }
    const last = this.reports[this.reports.length - 1];
    return {
      startStep: this.startStep,
      steps: this.done,
      reports: this.reports.slice(),
      finalLoss: last ? last.loss : this.resumedLoss ?? NaN,
      lastCheckpoint: this.lastCkpt,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** Everything needed to continue this run exactly (synchronous reads: host-memory engines only). */
  checkpointData(): CheckpointData {
    return this.checkpointDataFrom(this.model.params.getWeights(), this.optimizer.getState());
  }

  /** checkpointData with asynchronous reads (every engine). */
  async checkpointDataAsync(): Promise<CheckpointData> {
    return this.checkpointDataFrom(await this.model.params.getWeightsAsync(), await this.optimizer.getStateAsync());
  }

  private checkpointDataFrom(weights: Map<string, SavedTensor>, opt: AdamWState): CheckpointData {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [n, t] of weights) tensors.set(`param/${n}`, t);
    for (const [n, t] of opt.m) tensors.set(`adam.m/${n}`, t);
    for (const [n, t] of opt.v) tensors.set(`adam.v/${n}`, t);
    const last = this.reports[this.reports.length - 1];
    return {
      meta: {
        format: FORMAT,
        step: this.done,
        finalLoss: last ? last.loss : this.resumedLoss,
        model: this.model.describe(),
        train: this.trainConfigToSave(),
        optimizerStep: opt.step,
        rng: { data: this.dataRng.getState(), dropout: this.dropoutRng.getState(), encoding: this.model.encoding.getState?.() },
        objectives: this.objectives?.getState(),
        task: this.task.getState?.(),
      },
      tensors,
    };
  }

  /** The config stored in (and compared against) checkpoints: without progress display and resume source. */
  private trainConfigToSave(): Omit<TrainConfig, 'progress' | 'resumeFrom'> {
    const { progress: _p, resumeFrom: _r, ...train } = this.config;
    return train;
  }

  /** Writes a checkpoint atomically (synchronous reads: host-memory engines only; run() uses saveAsync). */
  save(path: string): void {
    saveCheckpoint(path, this.checkpointData());
    this.lastCkpt = { path, step: this.done };
  }

  /** Writes a checkpoint atomically, reading the weights asynchronously (every engine). */
  async saveAsync(path: string): Promise<void> {
    saveCheckpoint(path, await this.checkpointDataAsync());
    this.lastCkpt = { path, step: this.done };
  }

  /** Restores weights, optimiser, every Rng and sampler state, and the step counter from a checkpoint. */
  load(path: string): void {
    const ck = loadCheckpoint(path);
    const m = ck.meta as Record<string, unknown>;
    if (m.format !== FORMAT) throw new Error(`${path}: not a training checkpoint (format ${JSON.stringify(m.format)}, expected ${FORMAT})`);
    const want = JSON.stringify(this.model.describe());
    if (JSON.stringify(m.model) !== want) throw new Error(`${path}: saved for model ${JSON.stringify(m.model)}, but this model is ${want}`);
    // Where and how often checkpoints are written does not change the run; every other setting must match.
    assertSameConfig(path, m.train, this.trainConfigToSave(), 'training config', ['checkpoint']);
    const step = m.step as number;
    if (!Number.isInteger(step) || step < 0) throw new Error(`${path}: bad step ${String(step)}`);
    if (step > this.config.steps) throw new Error(`${path}: saved at step ${step}, beyond this run's ${this.config.steps} steps`);
    const finalLoss = m.finalLoss;
    if (finalLoss !== undefined && !(typeof finalLoss === 'number' && Number.isFinite(finalLoss))) {
      throw new Error(`${path}: stored final loss ${JSON.stringify(finalLoss)} is not a finite number`);
    }
    const pick = (prefix: string) => {
      const out = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const [k, t] of ck.tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), t);
      return out;
    };
    this.model.params.setWeights(pick('param/'));
    this.optimizer.setState({ step: m.optimizerStep as number, m: pick('adam.m/'), v: pick('adam.v/') });
    const rng = m.rng as { data: RngState; dropout: RngState; encoding?: RngState };
    this.dataRng.setState(rng.data);
    this.dropoutRng.setState(rng.dropout);
    const enc = this.model.encoding;
    if (!!rng.encoding !== !!enc.getState) {
      throw new Error(`${path}: the checkpoint ${rng.encoding ? 'has' : 'lacks'} an encoding random-stream state but encoding '${enc.name}' ${enc.getState ? 'has' : 'has no'} such stream`);
    }
    if (rng.encoding && enc.setState) enc.setState(rng.encoding);
    if (this.objectives) {
      if (!m.objectives) throw new Error(`${path}: the checkpoint has no objective state but this run's encoding has objectives`);
      this.objectives.setState(m.objectives);
    } else if (m.objectives && Object.values(m.objectives as object).some((v) => v !== undefined)) {
      throw new Error(`${path}: the checkpoint was trained with encoding objectives but this run has none`);
    }
    if (m.task !== undefined && this.task.setState) this.task.setState(m.task);
    this.done = step;
    this.resumedLoss = finalLoss as number | undefined;
    this.lastCkpt = { path, step };
  }

  /** Frees the optimiser state (the model is the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** The objective terms of a step's values (everything but the total and the task loss). */
function objectiveValues(v: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'loss' && k !== 'task') out[k] = x;
  return out;
}

/** Builds a Trainer, runs it to config.steps and frees the optimiser. */
export async function train<M extends TrainableModel, B>(model: M, task: Task<M, B>, config: TrainConfig): Promise<TrainResult> {
  const t = new Trainer(model, task, config);
  try {
    return await t.run();
  } finally {
    t.dispose();
  }
}
