/** Training: AdamW, schedules, clipping, checkpoints, progress, SeqPE regularisers, task adapters and the loop. */
export * from './adamw';
export * from './schedule';
export * from './clip';
export * from './checkpoint';
export * from './progress';
export * from './tasks';
export * from './regularizers';
export * from './loop';
