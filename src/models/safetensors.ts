/**
 * safetensors I/O (the format diffusers checkpoints use): a little-endian u64 header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`, then the raw tensor bytes.
 *
 * Reading is streamed: `SafetensorsFile.open` reads only the header; each tensor is read by offset from the
 * file handle when asked for, so a multi-GB checkpoint is never held in memory twice. F32, F16 and BF16 are
 * converted to Float32 on read. Writing streams tensor by tensor too.
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { HostTensor } from '../host-tensor.js';
import type { ShapeMap, WeightMap } from './params.js';

/** Float dtypes we read and write. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

/** One tensor's header entry. */
export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Byte range within the data section. */
  readonly begin: number;
  readonly end: number;
}

const BYTES: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

/** A file that is not a well-formed safetensors file; the message names the file and what is wrong. */
export class SafetensorsFormatError extends Error {
  override name = 'SafetensorsFormatError';
}

const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * Check a parsed header against the format: an object of `{ dtype: string, shape: int[], data_offsets: [b, e] }`
 * entries (+ an optional `__metadata__` of strings), every byte range inside the data section and, for the dtypes
 * read here, as long as its shape says. Anything else is one {@link SafetensorsFormatError} naming the entry.
 */
export function parseSafetensorsHeader(
  path: string,
  header: unknown,
  dataSize: number,
): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsFormatError(`${path}: not a safetensors file (header is not a JSON object)`);
  }
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
        throw new SafetensorsFormatError(`${path}: "__metadata__" must be an object of strings`);
      }
      metadata = v as Record<string, string>;
      continue;
    }
    const bad = (what: string) => new SafetensorsFormatError(`${path}: tensor "${name}": ${what} (corrupt or not a safetensors file)`);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('header entry is not an object');
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== 'string') throw bad('"dtype" is not a string');
    if (!Array.isArray(e.shape) || !e.shape.every(isIndex)) throw bad('"shape" is not a list of non-negative integers');
    if (!Array.isArray(e.data_offsets) || e.data_offsets.length !== 2 || !e.data_offsets.every(isIndex)) throw bad('"data_offsets" is not [begin, end]');
    const [begin, end] = e.data_offsets as [number, number];
    if (!(end >= begin && end <= dataSize)) {
      throw new SafetensorsFormatError(`${path}: tensor "${name}" lies outside the file (truncated download?)`);
    }
    const shape = e.shape as number[];
    if (e.dtype in BYTES) {
      const count = shape.reduce((a, b) => a * b, 1);
      if (count * BYTES[e.dtype as SafetensorsDtype] !== end - begin) throw bad(`shape [${shape.join(', ')}] does not match its ${end - begin} bytes`);
    }
    entries.set(name, { dtype: e.dtype, shape, begin, end });
  }
  return { entries, metadata };
}

/** A safetensors file opened for lazy, by-name tensor reads. Close it when done. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    /** Tensor entries by name, in header order. */
    readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly dataStart: number,
  ) {}

  /**
   * Open `path` and parse its header (nothing else is read).
   *
   * @example
   * const f = await SafetensorsFile.open('unet/diffusion_pytorch_model.safetensors');
   * const w = await f.read('conv_in.weight'); await f.close();
   */
  static async open(path: string): Promise<SafetensorsFile> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const lenBuf = Buffer.alloc(8);
      await fh.read(lenBuf, 0, 8, 0);
      const headerLen = Number(lenBuf.readBigUInt64LE(0));
      if (size < 8 || headerLen <= 0 || 8 + headerLen > size || headerLen > 100_000_000) {
        throw new SafetensorsFormatError(`${path}: not a safetensors file (header length ${headerLen}, file size ${size})`);
      }
      const headerBuf = Buffer.alloc(headerLen);
      await fh.read(headerBuf, 0, headerLen, 8);
      let header: unknown;
      try {
        header = JSON.parse(headerBuf.toString('utf8'));
      } catch {
        throw new SafetensorsFormatError(`${path}: not a safetensors file (header is not JSON)`);
      }
      const { entries, metadata } = parseSafetensorsHeader(path, header, size - 8 - headerLen);
      return new SafetensorsFile(path, fh, entries, metadata, 8 + headerLen);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Read one tensor as Float32 (F32/F16/BF16 on disk). */
  async read(name: string): Promise<HostTensor> {
    const { e, dtype } = this.entry(name);
    const buf = Buffer.alloc(e.end - e.begin);
    // Large tensors: read in chunks (a single read is limited to 2 GiB).
    const CHUNK = 1 << 30;
    for (let off = 0; off < buf.length; off += CHUNK) {
      const len = Math.min(CHUNK, buf.length - off);
      const { bytesRead } = await this.fh.read(buf, off, len, this.dataStart + e.begin + off);
      if (bytesRead !== len) throw new Error(`${this.path}: short read of "${name}"`);
    }
    return { shape: [...e.shape], data: toFloat32(buf, dtype) };
  }

  /** Read one tensor synchronously (for graph emitters that pull weights while tracing). */
  readSync(name: string): HostTensor {
    const { e, dtype } = this.entry(name);
    const buf = Buffer.alloc(e.end - e.begin);
    const CHUNK = 1 << 30;
    for (let off = 0; off < buf.length; off += CHUNK) {
      const len = Math.min(CHUNK, buf.length - off);
      if (readSync(this.fh.fd, buf, off, len, this.dataStart + e.begin + off) !== len) throw new Error(`${this.path}: short read of "${name}"`);
    }
    return { shape: [...e.shape], data: toFloat32(buf, dtype) };
  }

  /** Tensors read on demand: `get(name)` reads from the file (undefined when absent). Keep the file open. */
  onDemand(): { get(name: string): HostTensor | undefined } {
    return { get: (name) => (this.entries.has(name) ? this.readSync(name) : undefined) };
  }

  private entry(name: string): { e: SafetensorsEntry; dtype: SafetensorsDtype } {
    const e = this.entries.get(name);
    if (e === undefined) throw new Error(`${this.path}: no tensor "${name}"`);
    if (!(e.dtype in BYTES)) throw new Error(`${this.path}: tensor "${name}" has dtype ${e.dtype}; only F32/F16/BF16 are read`);
    const dtype = e.dtype as SafetensorsDtype;
    if (e.shape.reduce((a, b) => a * b, 1) * BYTES[dtype] !== e.end - e.begin) {
      throw new Error(`${this.path}: tensor "${name}" shape [${e.shape.join(', ')}] does not match its ${e.end - e.begin} bytes`);
    }
    return { e, dtype };
  }

  /** Read every tensor (or those `keep` accepts) into a map. */
  async readAll(keep: (name: string) => boolean = () => true): Promise<WeightMap> {
    const out: WeightMap = new Map();
    for (const name of this.entries.keys()) if (keep(name)) out.set(name, await this.read(name));
    return out;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Read a whole safetensors file into Float32 tensors. */
export async function readSafetensors(path: string): Promise<WeightMap> {
  const f = await SafetensorsFile.open(path);
  try {
    return await f.readAll();
  } finally {
    await f.close();
  }
}

const f16Table = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    t[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m === 0 ? s * Infinity : NaN) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
})();

function toFloat32(buf: Buffer, dtype: SafetensorsDtype): Float32Array {
  if (dtype === 'F32') {
    const out = new Float32Array(buf.length / 4);
    new Uint8Array(out.buffer).set(buf);
    return out;
  }
  const n = buf.length / 2;
  const out = new Float32Array(n);
  if (dtype === 'F16') {
    for (let i = 0; i < n; i++) out[i] = f16Table[buf.readUInt16LE(2 * i)]!;
  } else {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u[i] = buf.readUInt16LE(2 * i) << 16;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Float32 → IEEE half (round to nearest even). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

function encode(t: HostTensor, dtype: SafetensorsDtype): Buffer {
  if (dtype === 'F32') return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = Buffer.alloc(t.data.length * 2);
  if (dtype === 'F16') {
    for (let i = 0; i < t.data.length; i++) out.writeUInt16LE(toHalf(t.data[i]!), 2 * i);
  } else {
    const u = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < t.data.length; i++) {
      const x = u[i]!;
      out.writeUInt16LE(((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff, 2 * i);
    }
  }
  return out;
}

/**
 * Write tensors as safetensors (streamed, tensor by tensor), stored as `dtype` (default F32).
 *
 * @example await writeSafetensors('lora.safetensors', weights, { dtype: 'F16', metadata: { format: 'pt' } });
 */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, HostTensor>,
  opts: { readonly dtype?: SafetensorsDtype; readonly metadata?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  const dtype = opts.dtype ?? 'F32';
  const header: Record<string, unknown> = {};
  if (opts.metadata !== undefined) header.__metadata__ = opts.metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`writeSafetensors: "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const bytes = count * BYTES[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBuf = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBuf.length));
  const fh = await open(path, 'w');
  try {
    await fh.write(len);
    await fh.write(headerBuf);
    for (const t of tensors.values()) {
      const b = encode(t, dtype);
      const CHUNK = 1 << 30;
      for (let off = 0; off < b.length; off += CHUNK) await fh.write(b, off, Math.min(CHUNK, b.length - off));
    }
  } finally {
    await fh.close();
  }
}

/** What is wrong between a checkpoint and the names/shapes a spec expects. */
export interface WeightMismatch {
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly wrongShape: readonly { readonly name: string; readonly expected: readonly number[]; readonly found: readonly number[] }[];
}

/** A checkpoint that does not fit the spec; the message names what is missing, unexpected or mis-shaped. */
export class CheckpointMismatchError extends Error {
  constructor(readonly where: string, readonly mismatch: WeightMismatch) {
    super(describeMismatch(where, mismatch));
    this.name = 'CheckpointMismatchError';
  }
}

function list(xs: readonly string[], n = 5): string {
  return xs.slice(0, n).join(', ') + (xs.length > n ? `, … (${xs.length - n} more)` : '');
}

function describeMismatch(where: string, m: WeightMismatch): string {
  const expectedCount = m.wrongShape.length + m.missing.length;
  const lines = [`${where} does not match the model spec`];
  if (m.wrongShape.length > 0 && m.wrongShape.length >= Math.max(3, expectedCount / 4)) {
    lines.push(`  ${m.wrongShape.length} tensors have other shapes: this looks like a checkpoint of another preset or model size`);
  }
  if (m.missing.length > 0) lines.push(`  missing (${m.missing.length}): ${list(m.missing)}`);
  if (m.unexpected.length > 0) lines.push(`  unexpected (${m.unexpected.length}): ${list(m.unexpected)}`);
  for (const w of m.wrongShape.slice(0, 5)) {
    lines.push(`  ${w.name}: expected [${w.expected.join(', ')}], found [${w.found.join(', ')}]`);
  }
  if (m.wrongShape.length > 5) lines.push(`  … ${m.wrongShape.length - 5} more with other shapes`);
  return lines.join('\n');
}

/** Compare checkpoint shapes (`name → shape`) with what a spec expects. */
export function compareShapes(expected: ShapeMap, found: ReadonlyMap<string, readonly number[]>): WeightMismatch {
  const missing: string[] = [];
  const wrongShape: { name: string; expected: number[]; found: readonly number[] }[] = [];
  for (const [name, shape] of expected) {
    const f = found.get(name);
    if (f === undefined) missing.push(name);
    else if (f.length !== shape.length || f.some((d, i) => d !== shape[i])) wrongShape.push({ name, expected: shape, found: f });
  }
  const unexpected = [...found.keys()].filter((k) => !expected.has(k));
  return { missing, unexpected, wrongShape };
}

/**
 * Throw `CheckpointMismatchError` unless `found` has exactly the expected names and shapes
 * (`allowUnexpected` tolerates extra tensors, e.g. a TAE checkpoint loaded as a plain VAE).
 */
export function assertShapesMatch(
  where: string,
  expected: ShapeMap,
  found: ReadonlyMap<string, readonly number[]>,
  opts: { readonly allowUnexpected?: boolean } = {},
): void {
  const m = compareShapes(expected, found);
  const unexpected = opts.allowUnexpected === true ? [] : m.unexpected;
  if (m.missing.length > 0 || unexpected.length > 0 || m.wrongShape.length > 0) {
    throw new CheckpointMismatchError(where, { ...m, unexpected });
  }
}

/** Shapes in a weight map or an open file. */
export function shapesOf(src: WeightMap | SafetensorsFile): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  if (src instanceof SafetensorsFile) for (const [k, e] of src.entries) out.set(k, e.shape);
  else for (const [k, t] of src) out.set(k, t.shape);
  return out;
}

/**
 * Open a checkpoint, check it against `expected` (throws a `CheckpointMismatchError` naming missing,
 * unexpected and wrongly-shaped tensors), then read only the expected tensors.
 *
 * @example const unet = await loadCheckpoint('unet.safetensors', unetParamShapes(presets['sd21-base'].unet));
 */
export async function loadCheckpoint(
  path: string,
  expected: ShapeMap,
  opts: { readonly allowUnexpected?: boolean } = {},
): Promise<WeightMap> {
  const f = await SafetensorsFile.open(path);
  try {
    assertShapesMatch(path, expected, shapesOf(f), opts);
    return await f.readAll((n) => expected.has(n));
  } finally {
    await f.close();
  }
}
