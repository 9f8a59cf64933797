/**
 * A typed ONNX graph builder: inputs, initializers (inline, or streamed to an external-data file for models
 * over protobuf's 2 GB limit), constants, nodes with typed attributes, outputs; `build()` gives ONNX bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import {
  DataType,
  attributeProto,
  encodeModel,
  rawTensorProto,
  valueInfoProto,
  type Attr,
  type Dim,
  type ModelProtoData,
  type NodeProtoData,
  type TensorProtoData,
  type ValueInfoProtoData,
} from './onnx-proto.js';

export type { Attr, Dim };

/** A float tensor to store as an initializer. */
export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface GraphBuilderOptions {
  readonly name: string;
  /** Default opset of the `ai.onnx` domain: 18. */
  readonly opset?: number;
  /** Stream initializer bytes to this file (ONNX external data, same folder as the model file). */
  readonly externalDataPath?: string;
}

/** Builds one ONNX graph. Value names returned by the methods are the handles to pass on. */
export class OnnxGraphBuilder {
  private readonly nodes: NodeProtoData[] = [];
  private readonly inits: TensorProtoData[] = [];
  private readonly initData = new Map<string, FloatTensor>();
  /** Weights declared but not yet referenced by a node: stored only if some node uses them. */
  private readonly pending = new Map<string, FloatTensor>();
  private readonly inputs: ValueInfoProtoData[] = [];
  private readonly outputs: ValueInfoProtoData[] = [];
  private readonly constCache = new Map<string, string>();
  private counter = 0;
  private extFd: number | null = null;
  private extOffset = 0;
  /** Total initializer bytes so far. */
  initializerBytes = 0;

  constructor(private readonly opts: GraphBuilderOptions) {
    if (opts.externalDataPath !== undefined) this.extFd = openSync(opts.externalDataPath, 'w');
  }

  /** A fresh value name with a readable stem. */
  fresh(stem = 'v'): string {
    return `${stem}_${this.counter++}`;
  }

  /** Declare a float input. */
  input(name: string, dims: readonly Dim[]): string {
    this.inputs.push(valueInfoProto(name, dims));
    return name;
  }

  /** Declare `value` as the graph output `name` (an Identity is added when the names differ). */
  output(value: string, name: string, dims: readonly Dim[]): void {
    if (value !== name) this.nodes.push({ op_type: 'Identity', input: [value], output: [name], attribute: [] });
    this.outputs.push(valueInfoProto(name, dims));
  }

  /** Whether `name` is a float initializer (stored or declared), and its data. */
  initializerData(name: string): FloatTensor | undefined {
    return this.initData.get(name) ?? this.pending.get(name);
  }

  /**
   * Declare a weight: it becomes an initializer only when a node reads it (so a weight that an op replaces by
   * a derived one, e.g. a pre-transposed Linear weight, is not stored twice).
   */
  weight(name: string, t: FloatTensor): string {
    if (!this.initData.has(name)) this.pending.set(name, t);
    return name;
  }

  /** Drop a declared weight that no node will read (e.g. replaced by a derived initializer). */
  forget(name: string): void {
    this.pending.delete(name);
  }

  /** Add a float initializer named `name` (once; later calls return the same name). */
  initializer(name: string, t: FloatTensor): string {
    if (this.initData.has(name)) return name;
    this.pending.delete(name);
    this.initData.set(name, t);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    this.initializerBytes += bytes.length;
    let proto: TensorProtoData;
    if (this.extFd !== null && bytes.length >= 1024) {
      for (let off = 0; off < bytes.length; off += 1 << 30) {
        writeSync(this.extFd, bytes, off, Math.min(1 << 30, bytes.length - off));
      }
      // the bytes are on disk now: keep only the shape (big models must not be held twice)
      this.initData.set(name, { shape: t.shape, data: new Float32Array(0) });
      proto = {
        name,
        dims: [...t.shape],
        data_type: DataType.FLOAT,
        data_location: 1,
        external_data: [
          { key: 'location', value: basename(this.opts.externalDataPath!) },
          { key: 'offset', value: String(this.extOffset) },
          { key: 'length', value: String(bytes.length) },
        ],
      };
      this.extOffset += bytes.length;
    } else {
      proto = rawTensorProto(name, t.shape, t.data);
    }
    this.inits.push(proto);
    return name;
  }

  /** A float constant (cached by value). */
  constFloat(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    const key = `f:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit !== undefined) return hit;
    const name = this.fresh('const');
    this.inits.push(rawTensorProto(name, dims, Float32Array.from(values)));
    this.constCache.set(key, name);
    return name;
  }

  /** An int64 constant (cached by value), e.g. a shape or axes. */
  constInt64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit !== undefined) return hit;
    const name = this.fresh('const');
    this.inits.push(rawTensorProto(name, dims, BigInt64Array.from(values.map((v) => BigInt(v)))));
    this.constCache.set(key, name);
    return name;
  }

  /** Add a node with `outputs` fresh outputs; returns their names. Empty-string inputs are "absent". */
  node(op: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, outputs = 1, domain?: string): string[] {
    for (const i of inputs) {
      const t = this.pending.get(i);
      if (t !== undefined) {
        this.pending.delete(i);
        this.initializer(i, t);
      }
    }
    const out = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({
      op_type: op,
      input: [...inputs],
      output: out,
      attribute: Object.entries(attrs).map(([k, v]) => attributeProto(k, v)),
      ...(domain !== undefined ? { domain } : {}),
    });
    return out;
  }

  /** Add a single-output node; returns its output name. */
  op(op: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}): string {
    return this.node(op, inputs, attrs, 1)[0]!;
  }

  /** Number of nodes so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Finish: close the external-data file (if any) and return the model bytes. */
  build(metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    if (this.extFd !== null) {
      closeSync(this.extFd);
      this.extFd = null;
    }
    const model: ModelProtoData = {
      ir_version: 8,
      producer_name: 'tadsr',
      producer_version: '0.1.0',
      opset_import: [{ domain: '', version: this.opts.opset ?? 18 }],
      graph: { name: this.opts.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
    return encodeModel(model);
  }
}
