/** Models: the Transformer pieces and the two models (causal LM, ViT); the position encoding is always injected. */
export * from './types';
export * from './params';
export * from './dropout';
export * from './attention';
export * from './block';
export * from './causal-lm';
export * from './vit';
