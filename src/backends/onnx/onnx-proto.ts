/**
 * The subset of ONNX's `onnx.proto` (ONNX IR v8+) that tadsr emits, loaded by protobufjs (a maintained protobuf
 * library) from its schema text — field numbers and types exactly as upstream `onnx/onnx.proto`, so the bytes
 * are standard ONNX. TypeScript views of the messages follow.
 */
import protobuf from 'protobufjs';

const ONNX_SUBSET_PROTO = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  string doc_string = 13;
  AttributeType type = 20;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
  string domain = 7;
}

message StringStringEntryProto {
  string key = 1;
  string value = 2;
}

message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13;
  }
  enum DataLocation { DEFAULT = 0; EXTERNAL = 1; }
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  string name = 8;
  bytes raw_data = 9;
  string doc_string = 12;
  repeated StringStringEntryProto external_data = 13;
  DataLocation data_location = 14;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  string denotation = 6;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}
`;

const root = protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root;

/** The protobufjs type of `onnx.ModelProto`. */
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** ONNX element types we use (TensorProto.DataType). */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values we use. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorProtoData {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  data_location?: number;
  external_data?: { key: string; value: string }[];
}

export interface AttributeProtoData {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeProtoData {
  op_type: string;
  input: string[];
  output: string[];
  name?: string;
  domain?: string;
  attribute: AttributeProtoData[];
}

export interface ValueInfoProtoData {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
}

export interface ModelProtoData {
  ir_version: number;
  producer_name: string;
  producer_version?: string;
  opset_import: { domain: string; version: number }[];
  graph: {
    name: string;
    node: NodeProtoData[];
    initializer: TensorProtoData[];
    input: ValueInfoProtoData[];
    output: ValueInfoProtoData[];
  };
  metadata_props?: { key: string; value: string }[];
}

/** A node attribute, tagged by ONNX type. */
export type Attr =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly s: string };

/** A dimension of a graph input/output: a size, or a symbolic name (`batch`, `height`). */
export type Dim = number | string;

/**
 * The AttributeProto of a tagged attribute value.
 *
 * @example
 * attributeProto('axis', { i: 1 }); // { name: 'axis', type: AttributeType.INT, i: 1 }
 */
export function attributeProto(name: string, a: Attr): AttributeProtoData {
  if ('i' in a) return { name, type: AttributeType.INT, i: a.i };
  if ('f' in a) return { name, type: AttributeType.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: [...a.floats] };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.s) };
}

/**
 * The ValueInfoProto of a tensor graph input/output (float unless `elemType` says otherwise).
 *
 * @example
 * valueInfoProto('x', ['batch', 3, 64, 64]);
 */
export function valueInfoProto(name: string, dims: readonly Dim[], elemType: number = DataType.FLOAT): ValueInfoProtoData {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/**
 * A TensorProto holding `data` inline as raw bytes (float32 or int64, by the array's type).
 *
 * @example
 * rawTensorProto('axes', [1], BigInt64Array.of(1n));
 */
export function rawTensorProto(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): TensorProtoData {
  return {
    name,
    dims: [...dims],
    data_type: data instanceof Float32Array ? DataType.FLOAT : DataType.INT64,
    raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** Serialise a model to ONNX bytes (protobuf wire format). */
export function encodeModel(model: ModelProtoData): Uint8Array {
  const err = ModelProtoType.verify(model);
  if (err !== null) throw new Error(`invalid ONNX model: ${err}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

/** Parse ONNX bytes (for tests and inspection). */
export function decodeModel(bytes: Uint8Array): ModelProtoData {
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, defaults: false }) as ModelProtoData;
}
