/**
 * A run stopped at its process deadline (SEQPE_STOP_AT, epoch milliseconds) after writing a checkpoint: not a failure,
 * the run resumes from that checkpoint in a later process. Machines lent for a fixed time (the GPU device of
 * scripts/gpu/) end every call before their limit this way, so no step is lost.
 */
export class TrainingPausedError extends Error {
  constructor(
    readonly step: number,
    readonly totalSteps: number,
    readonly checkpoint: string,
  ) {
    super(`training paused at step ${step} of ${totalSteps} (SEQPE_STOP_AT reached); checkpoint ${checkpoint} resumes it`);
    this.name = 'TrainingPausedError';
  }
}

/** The deadline of this process from SEQPE_STOP_AT (epoch ms), or undefined; a malformed value is an error. */
export function stopDeadline(value: string | undefined = process.env.SEQPE_STOP_AT): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = Number(value);
  if (!Number.isFinite(t) || t <= 0) throw new Error(`SEQPE_STOP_AT=${JSON.stringify(value)} is not a time; expected epoch milliseconds (e.g. $(( $(date +%s) * 1000 + 540000 )))`);
  return t;
}
