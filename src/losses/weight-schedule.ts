/**
 * Loss-weight schedule for the SeqPE regularisers (§1.8): L = L_task + w_ct·L_δ + w_tr·L_OOD, where each weight may be
 * warmed up linearly, w(step) = w · min(step / warmup, 1). warmup = 0 means a constant weight (all released configs).
 */

export interface WeightSchedule {
  /** Final weight w (0.1 for both regularisers in the paper's scripts). */
  weight: number;
  /** Linear warm-up steps; 0 = constant. */
  warmupSteps?: number;
}

/** min(step / warmup, 1); 1 when warmup = 0. */
export function warmupFactor(step: number, warmupSteps = 0): number {
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new Error(`warmupSteps must be an integer ≥ 0, got ${warmupSteps}`);
  if (!Number.isFinite(step) || step < 0) throw new Error(`step must be a finite number ≥ 0, got ${step}`);
  return warmupSteps === 0 ? 1 : Math.min(step / warmupSteps, 1);
}

/** The weight to use at `step`. */
export function lossWeight(schedule: WeightSchedule, step: number): number {
  if (!Number.isFinite(schedule.weight) || schedule.weight < 0) {
    throw new Error(`loss weight must be a finite number ≥ 0, got ${schedule.weight}`);
  }
  return schedule.weight * warmupFactor(step, schedule.warmupSteps ?? 0);
}
