/** TF.js training backend: runtime pick, ORT-computed kernels, NetOps, the Backend, and training utilities. */
export { pickTfjsRuntime, TFJS_RUNTIMES, type TfjsRuntime, type TfjsRuntimeName, type PickRuntimeOptions } from './runtime.js';
export { createTfjsNetOps, type TfjsNetOpsOptions } from './tfjs-net-ops.js';
export { createTfjsBackend, toVariables, type TfjsBackend, type TfjsBackendOptions, type ParamGroup } from './tfjs-backend.js';
export { registerOrtKernels, ORT_KERNEL_BACKENDS } from './kernels/register.js';
export { ortKernelSettings, ortSessionCount, clearOrtSessions } from './ort/ort-op-cache.js';
export { AdamW, type AdamWOptions } from './train/adamw.js';
export { clipGradNorm } from './train/clip-grad-norm.js';
export { tfjsFactory } from './factory.js';
