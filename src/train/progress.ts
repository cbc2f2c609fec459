/**
 * Training progress: a live single line in a terminal (\r updates), a plain line every N steps elsewhere (notebooks, CI
 * logs), an optional JSONL file of the logged steps, and a callback so a notebook can draw its own display.
 */
import * as fs from 'fs';
import * as path from 'path';

export type ItemUnit = 'tokens' | 'images';

export interface StepReport {
  /** Updates completed (1-based number of this update). */
  step: number;
  totalSteps: number;
  /** Total loss L = L_task + Σ w_name·L_name (SeqPE: w_ct·L_δ + w_ood·L_OOD). */
  loss: number;
  lossTask: number;
  /** The encoding's objective losses computed this step, by name (SeqPE: contrastive, distillation). */
  objectives: Record<string, number>;
  /** Main-group learning rate used. */
  lr: number;
  /** Pre-clip gradient norms per group. */
  gradNorm: { main: number; pe: number };
  /** Whether the main task used a shifted window. */
  shifted: boolean;
  /** Wall time of this step. */
  ms: number;
  unit: ItemUnit;
  /** Tokens (LM/QA) or images per second for this step. */
  itemsPerSec: number;
  /** Estimated seconds to the end of the run. */
  etaSec: number;
  /** Whether this step is a logged one (every N steps, and the last). */
  logged: boolean;
}

export interface ProgressOptions {
  /** Log interval in steps for plain lines and the JSONL file. Default 10. */
  every?: number;
  /** 'auto' (default): live line if the stream is a TTY, else plain lines. 'silent' prints nothing. */
  mode?: 'auto' | 'tty' | 'lines' | 'silent';
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Append logged steps to this JSONL file. */
  jsonl?: string;
  /** Called after every step (report.logged says whether it is a logged one). */
  onStep?: (report: StepReport) => void;
}

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined ? '–' : v.toFixed(digits);
}

function fmtTime(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

/** One human-readable line for a step. */
export function formatReport(r: StepReport): string {
  const rate = r.itemsPerSec >= 100 ? r.itemsPerSec.toFixed(0) : r.itemsPerSec.toFixed(1);
  return (
    `step ${r.step}/${r.totalSteps}  loss ${fmt(r.loss)}  task ${fmt(r.lossTask)}  ` +
    Object.entries(r.objectives).map(([k, v]) => `${k} ${fmt(v)}  `).join('') +
    `lr ${r.lr.toExponential(2)}  ${rate} ${r.unit}/s  ${r.ms.toFixed(0)} ms${r.shifted ? '  shifted' : ''}  ETA ${fmtTime(r.etaSec)}`
  );
}

/** JSONL key of an objective's loss: 'contrastive' → 'lossContrastive'. */
export function objectiveLogKey(name: string): string {
  return `loss${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/**
 * Keys of logs written before the objectives were named (runs cached before this version): the official "transfer"
 * objective was logged as lossTr. Read-only; nothing writes them any more.
 */
const LEGACY_LOG_KEYS: Record<string, string> = { contrastive: 'lossCt', distillation: 'lossTr' };

/** An objective's loss from a JSONL record (new or legacy key), or undefined when the step did not compute it. */
export function logLoss(rec: Record<string, unknown>, name: string): number | undefined {
  const v = rec[objectiveLogKey(name)] ?? (LEGACY_LOG_KEYS[name] !== undefined ? rec[LEGACY_LOG_KEYS[name]] : undefined);
  return typeof v === 'number' ? v : undefined;
}

/** The JSONL record of a logged step. */
export function jsonlRecord(r: StepReport): Record<string, unknown> {
  const rec: Record<string, unknown> = { step: r.step, loss: r.loss, lossTask: r.lossTask };
  for (const [k, v] of Object.entries(r.objectives)) rec[objectiveLogKey(k)] = v;
  rec.lr = r.lr;
  rec[r.unit === 'tokens' ? 'tokensPerSec' : 'imagesPerSec'] = r.itemsPerSec;
  rec.ms = r.ms;
  rec.shifted = r.shifted;
  rec.gradNorm = r.gradNorm;
  return rec;
}

export class ProgressReporter {
  readonly every: number;
  private readonly mode: 'tty' | 'lines' | 'silent';
  private readonly stream: NodeJS.WritableStream;
  private readonly jsonl?: string;
  private readonly onStep?: (r: StepReport) => void;
  private emaMs = 0;
  private seen = 0;
  private liveOpen = false;

  constructor(opts: ProgressOptions = {}) {
    this.every = opts.every ?? 10;
    if (!Number.isInteger(this.every) || this.every < 1) throw new Error(`progress.every must be a positive integer, got ${opts.every}`);
    const stream = opts.stream ?? process.stderr;
    const mode = opts.mode ?? 'auto';
    if (!['auto', 'tty', 'lines', 'silent'].includes(mode)) throw new Error(`progress.mode must be auto, tty, lines or silent, got ${mode}`);
    this.mode = mode === 'auto' ? ((stream as { isTTY?: boolean }).isTTY ? 'tty' : 'lines') : mode;
    this.stream = stream;
    this.jsonl = opts.jsonl;
    this.onStep = opts.onStep;
    if (this.jsonl) fs.mkdirSync(path.dirname(path.resolve(this.jsonl)), { recursive: true });
  }

  /** Whether step `step` of `total` is a logged one. */
  isLogged(step: number, total: number): boolean {
    return step % this.every === 0 || step === total;
  }

  /** Estimated seconds left, from a moving average of step times. */
  eta(ms: number, step: number, total: number): number {
    this.seen++;
    this.emaMs = this.seen === 1 ? ms : 0.9 * this.emaMs + 0.1 * ms;
    return ((total - step) * this.emaMs) / 1000;
  }

  report(r: StepReport): void {
    if (this.mode === 'tty') {
      this.stream.write(`\r${formatReport(r)}\x1b[K`);
      this.liveOpen = true;
    } else if (this.mode === 'lines' && r.logged) {
      this.stream.write(`${formatReport(r)}\n`);
    }
    if (r.logged && this.jsonl) fs.appendFileSync(this.jsonl, `${JSON.stringify(jsonlRecord(r))}\n`);
    if (this.onStep) this.onStep(r);
  }

  /** A free-form message (checkpoint written, resumed, …) that does not break the live line. */
  note(msg: string): void {
    if (this.mode === 'silent') return;
    if (this.liveOpen) this.stream.write('\n');
    this.liveOpen = false;
    this.stream.write(`${msg}\n`);
  }

  /** Ends the live line. */
  finish(): void {
    if (this.liveOpen) this.stream.write('\n');
    this.liveOpen = false;
  }
}
