/** Data layer: corpora, tokenizer, splits, LM batches, IDX/MNIST images, resizing, needle QA. */
export * from './errors';
export * from './tokenizer';
export * from './sotu';
export * from './splits';
export * from './lm-batches';
export * from './idx';
export * from './mnist';
export * from './resize';
export * from './needle-qa';
