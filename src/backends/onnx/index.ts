/** ONNX Runtime inference backend. */
export { createOnnxBackend, defaultProviders, type OnnxBackend, type OnnxBackendInfo, type OnnxBackendOptions } from './onnx-backend.js';
export { DEVICES, DeviceError, parseDevice, planDevice, vulkanAdapters, type Device, type Placement, type VulkanAdapter } from './device.js';
export { emitSubNetwork, type EmittedGraph, type OnnxGraphName } from './emit.js';
export { OnnxGraphBuilder, type Attr, type Dim } from './graph-builder.js';
export { OnnxNetOps } from './onnx-net-ops.js';
export { onnxFactory } from './factory.js';
