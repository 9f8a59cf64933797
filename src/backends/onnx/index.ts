/** ONNX Runtime inference backend. */
export { createOnnxBackend, defaultProviders, type OnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';
export { emitSubNetwork, type EmittedGraph, type OnnxGraphName } from './emit.js';
export { OnnxGraphBuilder, type Attr, type Dim } from './graph-builder.js';
export { OnnxNetOps } from './onnx-net-ops.js';
export { onnxFactory } from './factory.js';
