/**
 * A minimal ONNX protobuf encoder (the few messages a single-op or small model needs), built on protobufjs
 * reflection — no `.proto` file or code generation. Field numbers are those of onnx/onnx.proto (IR v8).
 *
 * Duplication note: the ONNX backend (src/backends/onnx/) owns the full graph builder; this file exists so the
 * TF.js backend's ORT kernels do not depend on it. Merge the two once both are stable.
 */
import protobuf from 'protobufjs';

const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: 'Tensor', id: 1 } },
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
const ModelProto = root.lookupType('onnx.ModelProto');

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

function encodeAttr(name: string, value: OnnxAttr): Record<string, unknown> {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { f } for float values`);
    return { name, i: value, type: 2 };
  }
  if (Array.isArray(value)) return { name, ints: value, type: 7 };
  if ('f' in value) return { name, f: value.f, type: 1 };
  if ('floats' in value) return { name, floats: value.floats, type: 6 };
  throw new Error(`attribute ${name}: unsupported value`);
}

function encodeValue(v: OnnxValue): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.type ?? OnnxType.float,
        shape: { dim: v.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
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
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'tadsr-tfjs-ort-kernels',
    opsetImport: [{ domain: '', version: desc.opset ?? 17 }],
    graph: {
      name: 'g',
      node: desc.nodes.map((n, i) => ({
        name: `n${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => encodeAttr(k, v)),
      })),
      input: desc.inputs.map(encodeValue),
      output: desc.outputs.map(encodeValue),
      initializer: (desc.initializers ?? []).map((t) => ({
        name: t.name,
        dims: t.shape,
        dataType: t.data instanceof Float32Array ? OnnxType.float : OnnxType.int64,
        rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
    },
  });
  return ModelProto.encode(message).finish();
}
