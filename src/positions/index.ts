/** Positions: digit sequences, distances, and the samplers that feed SeqPE's training (spec §1.1, §1.5–§1.7). */
export * from './digits';
export * from './distance';
export * from './space';
export * from './epoch-cursor';
export * from './hard-negatives';
export * from './contrastive-sampler';
export * from './transfer-sampler';
export * from './shift-sampler';
