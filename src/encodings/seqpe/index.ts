/**
 * SeqPE, whole: settings and parameter table (config.ts), the encoder top to bottom (encoder.ts: embed → blocks.ts →
 * CLS → projection), its two computation paths (row-layout.ts; prefix.ts), the eval cache (eval-cache.ts), the ways it
 * enters the model (modes.ts), the encoding (seqpe.ts) and its training objectives (objectives.ts).
 */
export { SeqPE } from './seqpe';
export type { SeqPEConfig, SeqPEApplyOptions } from './seqpe';
export { SeqPEEncoder } from './encoder';
export type { EncodeOptions, EncoderStats } from './encoder';
export { encoderParamShapes, resolveEncoderConfig } from './config';
export type { ResolvedEncoderConfig, SeqPEAttention, SeqPEEncoderConfig, SeqPEPath } from './config';
export { SEQPE_MODES } from './modes';
export type { SeqPEMode } from './modes';
export { dedupPositions } from './eval-cache';
export { buildPrefixTrie, MASKED_LOGIT, prefixAttention } from './prefix';
export type { PrefixTrie } from './prefix';
export { drawObjectiveSeeds, hasObjectives, SEQPE_TERMS, SeqPEObjectives } from './objectives';
export type {
  ContrastiveObjectiveConfig,
  DistillationObjectiveConfig,
  SeqPEObjectivesConfig,
  SeqPEObjectivesState,
  SeqPEStepPlan,
  ShiftConfig,
} from './objectives';
