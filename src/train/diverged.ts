/** A NaN or infinite loss term or gradient norm; no update was applied for this step. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly term: string,
    readonly values: Record<string, number>,
    readonly lastCheckpoint?: { path: string; step: number },
  ) {
    const vals = Object.entries(values).map(([k, v]) => `${k} = ${v}`).join(', ');
    super(
      `training diverged at step ${step}: ${term} is ${Number.isNaN(values[term]) ? 'NaN' : values[term]} (${vals}); ` +
        'no update was applied for this step; ' +
        (lastCheckpoint ? `last good checkpoint: ${lastCheckpoint.path} (step ${lastCheckpoint.step})` : 'no checkpoint was written'),
    );
    this.name = 'TrainingDivergedError';
  }
}
