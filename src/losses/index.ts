/** Losses: the two SeqPE regularisers and their weight schedule (spec §1.6–§1.8). */
export * from './contrastive';
export * from './distillation';
export * from './weight-schedule';
