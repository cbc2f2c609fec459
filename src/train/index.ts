/** Training: AdamW, schedules, clipping, checkpoints, progress, task adapters (the encodings bring their own objectives) and the loop. */
export * from './adamw';
export * from './schedule';
export * from './clip';
export * from './checkpoint';
export * from './progress';
export * from './tasks';
export * from './encoding-task';
export * from './loop';
