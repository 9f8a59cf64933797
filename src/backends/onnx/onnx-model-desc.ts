/**
 * A small ONNX model written as plain data (nodes with named inputs/outputs, graph inputs/outputs, constant
 * initializers) and its encoder. The TF.js backend's ORT kernels describe their single-op models this way;
 * the messages and their encoding are those of ./onnx-proto.ts, shared with the ONNX backend's graph builder.
 */
import {
  attributeProto,
  encodeModel,
  rawTensorProto,
  valueInfoProto,
  type Attr,
  type AttributeProtoData,
} from './onnx-proto.js';

/** ONNX element types used here. */
export const OnnxType = { float: 1, int64: 7 } as const;

/** An attribute value: number → INT (integer) or FLOAT (`{ f }`), number[] → INTS, `{ floats }` → FLOATS. */
export type OnnxAttr = number | { readonly f: number } | readonly number[] | { readonly floats: readonly number[] };

/** One graph node. */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
}

/** A graph input or output: name, element type, static shape (a string entry is a symbolic dim). */
export interface OnnxValue {
  readonly name: string;
  readonly shape: readonly (number | string)[];
  readonly type?: number;
}

/** A constant initializer (float32 or int64 data). */
export interface OnnxInitializer {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** A whole (small) model. */
export interface OnnxModelDesc {
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValue[];
  readonly outputs: readonly OnnxValue[];
  readonly initializers?: readonly OnnxInitializer[];
  readonly opset?: number;
}

function toAttr(value: OnnxAttr, name: string): Attr {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { f } for float values`);
    return { i: value };
  }
  if (Array.isArray(value)) return { ints: value };
  if ('f' in value || 'floats' in value) return value;
  throw new Error(`attribute ${name}: unsupported value`);
}

function attributes(attrs: Readonly<Record<string, OnnxAttr>> = {}): AttributeProtoData[] {
  return Object.entries(attrs).map(([k, v]) => attributeProto(k, toAttr(v, k)));
}

/**
 * Serialise a small ONNX model to bytes (IR version 8, default opset 17).
 *
 * @example
 * const bytes = encodeOnnxModel({
 *   nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
 *   inputs: [{ name: 'x', shape: [2, 3] }], outputs: [{ name: 'y', shape: [2, 3] }],
 * });
 */
export function encodeOnnxModel(desc: OnnxModelDesc): Uint8Array {
  return encodeModel({
    ir_version: 8,
    producer_name: 'tadsr-tfjs-ort-kernels',
    opset_import: [{ domain: '', version: desc.opset ?? 17 }],
    graph: {
      name: 'g',
      node: desc.nodes.map((n, i) => ({
        name: `n${i}`,
        op_type: n.op,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: attributes(n.attrs),
      })),
      input: desc.inputs.map((v) => valueInfoProto(v.name, v.shape, v.type)),
      output: desc.outputs.map((v) => valueInfoProto(v.name, v.shape, v.type)),
      initializer: (desc.initializers ?? []).map((t) => rawTensorProto(t.name, t.shape, t.data)),
    },
  });
}
