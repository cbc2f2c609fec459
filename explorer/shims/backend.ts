/**
 * The page's stand-in for src/backend.ts (explorer/build.ts substitutes it for the training loop's import). The real
 * module is Node's engine picker: it require()s @tensorflow/tfjs-backend-wasm and -webgpu, and a require() makes esbuild
 * bundle those packages' CommonJS builds together with a second, CommonJS copy of tfjs-core, whose tensors have no op
 * handler (`Cannot read properties of null (reading 'clone')` on the first training step). The page picks its engine in
 * explorer/src/engine.ts and never calls initBackend, so the real engineStepEnd does nothing here either (it trims the
 * WebGPU pool only for an engine initBackend set up); the stand-in says so. Any other import of it fails the build.
 */
export function engineStepEnd(): void {}
