/**
 * Learning-rate schedules, as a factor of each group's base learning rate. `step` counts the updates already done
 * (0 for the first update), W = warmupSteps, T = totalSteps.
 *
 * - 'linear'   (HF get_linear_schedule_with_warmup, the LM/QA scripts): s/W during warm-up (so the very first update
 *               has lr 0, as in HF), then (T − s)/(T − W), floored at 0.
 * - 'cosine'   (timm CosineLRScheduler with a warm-up prefix, the ViT script): warmupInit + (1 − warmupInit)·s/W during
 *               warm-up, then min + ½(1 − min)(1 + cos(π (s − W)/(T − W))), and min after T.
 * - 'constant': linear warm-up from 0 as 'linear', then 1.
 * `minRatio` and `warmupInitRatio` are fractions of the base lr (timm's min_lr / base_lr, warmup_lr / base_lr).
 */

export type ScheduleKind = 'constant' | 'linear' | 'cosine';

export interface ScheduleConfig {
  kind: ScheduleKind;
  totalSteps: number;
  /** Default 0. */
  warmupSteps?: number;
  /** Cosine floor as a fraction of the base lr. Default 0. */
  minRatio?: number;
  /** Cosine warm-up start as a fraction of the base lr. Default 0. */
  warmupInitRatio?: number;
}

export function checkSchedule(c: ScheduleConfig): void {
  if (!['constant', 'linear', 'cosine'].includes(c.kind)) throw new Error(`schedule kind must be constant, linear or cosine, got ${String(c.kind)}`);
  if (!Number.isInteger(c.totalSteps) || c.totalSteps < 1) throw new Error(`schedule totalSteps must be an integer ≥ 1, got ${c.totalSteps}`);
  const w = c.warmupSteps ?? 0;
  if (!Number.isInteger(w) || w < 0 || w > c.totalSteps) throw new Error(`schedule warmupSteps must be an integer in [0, totalSteps = ${c.totalSteps}], got ${w}`);
  for (const k of ['minRatio', 'warmupInitRatio'] as const) {
    const v = c[k] ?? 0;
    if (!(v >= 0 && v <= 1)) throw new Error(`schedule ${k} must be in [0, 1], got ${v}`);
  }
}

/** The lr multiplier for the update with index `step` (0-based). */
export function lrFactor(step: number, c: ScheduleConfig): number {
  checkSchedule(c);
  if (!Number.isInteger(step) || step < 0) throw new Error(`schedule step must be an integer ≥ 0, got ${step}`);
  const W = c.warmupSteps ?? 0;
  const T = c.totalSteps;
  if (c.kind === 'cosine') {
    const init = c.warmupInitRatio ?? 0;
    const min = c.minRatio ?? 0;
    if (step < W) return init + ((1 - init) * step) / W;
    if (step >= T) return min;
    return min + 0.5 * (1 - min) * (1 + Math.cos((Math.PI * (step - W)) / (T - W)));
  }
  if (step < W) return step / W;
  if (c.kind === 'constant') return 1;
  return T === W ? 0 : Math.max(0, (T - step) / (T - W));
}
