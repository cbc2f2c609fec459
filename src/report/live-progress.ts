/**
 * A progress line and a loss chart that update in place while a notebook cell trains (chapters 03/04 train for
 * minutes): one display output, replaced at most `maxPerSecond` times a second (default 2) through Jupyter's
 * update_display_data, plus always on `finish()`. The chart is an inline SVG inside the HTML, so it draws in the
 * classic Notebook, JupyterLab and nbconvert's HTML without a plotly renderer; text/plain carries the line alone.
 *
 * Outside a notebook (tsx, tests' stdout) the line is printed instead, at most every `printEverySeconds` (default 10).
 */
import { escapeHtml } from './markdown';
import { inNotebook, sendDisplay, type MimeBundle } from './notebook';

export interface LiveProgressOptions {
  /** What is running, e.g. "seed 1, L_δ only". */
  label: string;
  /** Steps planned in all. */
  total: number;
  maxPerSecond?: number;
  printEverySeconds?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
  /** Display id (default: a fresh one per instance). */
  id?: string;
}

let counter = 0;

/** At most `max` points of (x, y), evenly strided, keeping the last one. */
function thin(xs: number[], max: number): number[] {
  if (xs.length <= max) return xs.map((_, i) => i);
  const stride = Math.ceil(xs.length / max);
  const idx: number[] = [];
  for (let i = 0; i < xs.length; i += stride) idx.push(i);
  if (idx[idx.length - 1] !== xs.length - 1) idx.push(xs.length - 1);
  return idx;
}

/** The loss curve as a small SVG (steps 1…n on x, the loss on y, min and max labelled). */
export function lossSvg(losses: number[], total: number, width = 420, height = 120): string {
  const pad = { l: 44, r: 8, t: 8, b: 18 };
  const finite = losses.filter((v) => Number.isFinite(v));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const span = hi - lo || 1;
  const X = (i: number) => pad.l + ((width - pad.l - pad.r) * (i + 1)) / Math.max(1, total);
  const Y = (v: number) => pad.t + (height - pad.t - pad.b) * (1 - (v - lo) / span);
  const pts = thin(losses, 300).filter((i) => Number.isFinite(losses[i])).map((i) => `${X(i).toFixed(1)},${Y(losses[i]).toFixed(1)}`);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect x="${pad.l}" y="${pad.t}" width="${width - pad.l - pad.r}" height="${height - pad.t - pad.b}" fill="none" stroke="#ccc"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${fmt(hi)}</text>`,
    `<text x="${pad.l - 4}" y="${height - pad.b}" text-anchor="end">${fmt(lo)}</text>`,
    `<text x="${pad.l}" y="${height - 4}">step 1</text>`,
    `<text x="${width - pad.r}" y="${height - 4}" text-anchor="end">${total}</text>`,
    pts.length ? `<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="${pts.join(' ')}"/>` : '',
    '</svg>',
  ].join('');
}

export class LiveProgress {
  private readonly id: string;
  private readonly now: () => number;
  private readonly minGapMs: number;
  private readonly printGapMs: number;
  private readonly t0: number;
  private lastSent = -Infinity;
  private lastPrinted = -Infinity;
  private shown = false;
  private step = 0;
  private readonly losses: number[] = [];
  /** How many display messages were sent (tests read it). */
  sent = 0;

  constructor(private readonly o: LiveProgressOptions) {
    if (!Number.isInteger(o.total) || o.total < 1) throw new Error(`LiveProgress: total=${o.total}; expected a positive whole number of steps`);
    const rate = o.maxPerSecond ?? 2;
    if (!(rate > 0)) throw new Error(`LiveProgress: maxPerSecond=${rate}; expected a positive number`);
    this.minGapMs = 1000 / rate;
    this.printGapMs = 1000 * (o.printEverySeconds ?? 10);
    this.now = o.now ?? Date.now;
    this.t0 = this.now();
    this.id = o.id ?? `seqpe-progress-${process.pid}-${++counter}-${this.t0}`;
  }

  /** The current progress line. */
  line(): string {
    const s = (this.now() - this.t0) / 1000;
    const last = this.losses[this.losses.length - 1];
    const eta = this.step > 0 && this.step < this.o.total ? `, about ${Math.round((s / this.step) * (this.o.total - this.step))} s left` : '';
    return `${this.o.label}: step ${this.step}/${this.o.total}${last === undefined ? '' : `, loss ${last.toFixed(4)}`}, ${s.toFixed(0)} s${eta}`;
  }

  bundle(): MimeBundle {
    const line = this.line();
    return { 'text/html': `<div><code>${escapeHtml(line)}</code><br>${lossSvg(this.losses, this.o.total)}</div>`, 'text/plain': line };
  }

  /** Record one step's loss; sends an update if the last one is older than the rate limit allows. */
  update(step: number, loss: number): void {
    if (!Number.isInteger(step) || step < 1 || step > this.o.total) throw new Error(`LiveProgress.update: step=${step}; expected 1..${this.o.total}`);
    this.step = step;
    this.losses.push(loss);
    this.flush(false);
  }

  private flush(force: boolean): void {
    const t = this.now();
    if (inNotebook()) {
      if (!force && t - this.lastSent < this.minGapMs) return;
      if (sendDisplay(this.bundle(), this.id, this.shown)) {
        this.shown = true;
        this.lastSent = t;
        this.sent++;
      }
      return;
    }
    if (force || t - this.lastPrinted >= this.printGapMs) {
      console.log(this.line());
      this.lastPrinted = t;
    }
  }

  /** Send the final state (always, regardless of the rate limit). */
  finish(): void {
    this.flush(true);
  }
}
