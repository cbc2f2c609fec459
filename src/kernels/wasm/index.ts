/**
 * Fused kernels for the wasm backend (issue 9): each function has the signature and semantics of the reference op it
 * replaces (named in its file) and is tested against it. Importing a file registers its kernels.
 */
export { layerNorm } from './layer-norm';
export { gelu, type GeluKind } from './gelu';
export { maskedSoftmax } from './masked-softmax';
export { softmaxCrossEntropy } from './cross-entropy';
export { adamwStep, type AdamWSlot, type AdamWHyper } from './adamw';
