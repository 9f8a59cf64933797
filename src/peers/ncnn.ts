/**
 * Reader of ncnn model files: the `.param` graph text and the `.bin` weight blob (the format of
 * Real-ESRGAN-ncnn-vulkan / upscayl models), enough for the convolutional SR nets tadsr runs as peers.
 *
 * `.param`: a magic line `7767517`, then `layerCount blobCount`, then one line per layer:
 * `Type name nBottom nTop bottom… top… k=v…`; a key ≤ −23300 holds an array `n,v1,…,vn` for id −key−23300.
 *
 * `.bin`: the layers' weights in the order of the `.param` lines, each layer reading its own blobs (ncnn's
 * `ModelBin::load`). A blob loaded with type 0 (convolution weights) starts with a 4-byte tag: `0x01306B47` fp16
 * (then the halves, padded to 4 bytes), `0` or `0x0002C056` raw fp32; the other tags (int8, quantised tables) are
 * not used by these models and are rejected. A blob loaded with type 1 (bias, PReLU slopes) is raw fp32 with no
 * tag.
 *
 * ```ts
 * const net = parseNcnn(readFileSync('x.param', 'utf8'), readFileSync('x.bin'));
 * net.layers[1].weights.get('weight'); // Float32Array
 * ```
 */

/** One parsed layer: its params (by id; arrays for array params) and weights (decoded to fp32). */
export interface NcnnLayer {
  readonly type: string;
  readonly name: string;
  readonly bottoms: readonly string[];
  readonly tops: readonly string[];
  readonly params: ReadonlyMap<number, number | readonly number[]>;
  /** `weight` / `bias` (Convolution), `slope` (PReLU). */
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** How the layer's main weight blob was stored in the `.bin`. */
  readonly weightStorage?: 'fp16' | 'fp32';
}

export interface NcnnNet {
  readonly layers: readonly NcnnLayer[];
  /** Bytes of the `.bin` that the layers read (must be the whole file). */
  readonly binBytesRead: number;
}

/** A malformed or unsupported ncnn file; the message names the layer and what is wrong. */
export class NcnnFormatError extends Error {
  override name = 'NcnnFormatError';
}

const TAG_FP16 = 0x01306b47;
const TAG_FP32 = 0x0002c056;

/** IEEE half → float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

interface ParsedLine {
  type: string;
  name: string;
  bottoms: string[];
  tops: string[];
  params: Map<number, number | number[]>;
}

/** Parse the `.param` text into layer lines (no weights). */
export function parseNcnnParam(text: string): ParsedLine[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines[0] !== '7767517') throw new NcnnFormatError(`not an ncnn .param file (magic "${lines[0] ?? ''}", expected 7767517)`);
  const [layerCount] = (lines[1] ?? '').split(/\s+/).map(Number);
  if (!Number.isInteger(layerCount)) throw new NcnnFormatError(`bad layer/blob count line "${lines[1] ?? ''}"`);
  const out: ParsedLine[] = [];
  for (const line of lines.slice(2)) {
    const f = line.split(/\s+/);
    const [type, name] = f;
    const nb = Number(f[2]);
    const nt = Number(f[3]);
    if (!type || !name || !Number.isInteger(nb) || !Number.isInteger(nt)) throw new NcnnFormatError(`bad layer line "${line}"`);
    const bottoms = f.slice(4, 4 + nb);
    const tops = f.slice(4 + nb, 4 + nb + nt);
    const params = new Map<number, number | number[]>();
    for (const kv of f.slice(4 + nb + nt)) {
      const eq = kv.indexOf('=');
      const key = Number(kv.slice(0, eq));
      const val = kv.slice(eq + 1);
      if (eq < 0 || !Number.isInteger(key)) throw new NcnnFormatError(`layer ${name}: bad param "${kv}"`);
      if (key <= -23300) {
        const [n, ...vs] = val.split(',').map(Number);
        if (vs.length !== n || vs.some((v) => !Number.isFinite(v))) throw new NcnnFormatError(`layer ${name}: bad array param "${kv}"`);
        params.set(-key - 23300, vs);
      } else {
        const v = Number(val);
        if (!Number.isFinite(v)) throw new NcnnFormatError(`layer ${name}: bad param "${kv}"`);
        params.set(key, v);
      }
    }
    out.push({ type, name, bottoms, tops, params });
  }
  if (out.length !== layerCount) throw new NcnnFormatError(`.param declares ${layerCount} layers but lists ${out.length}`);
  return out;
}

/** Sequential reader of the `.bin` blobs. */
class BinReader {
  offset = 0;
  constructor(private readonly buf: Uint8Array, private readonly view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)) {}

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.buf.length) throw new NcnnFormatError(`.bin ends at ${this.buf.length} bytes while reading ${what} (${bytes} bytes at ${this.offset})`);
  }

  /** A type-1 blob: raw little-endian fp32. */
  raw(n: number, what: string): Float32Array {
    this.need(4 * n, what);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getFloat32(this.offset + 4 * i, true);
    this.offset += 4 * n;
    return out;
  }

  /** A type-0 blob: a 4-byte tag, then fp16 (padded to 4 bytes) or fp32. */
  tagged(n: number, what: string): { data: Float32Array; storage: 'fp16' | 'fp32' } {
    this.need(4, what);
    const tag = this.view.getUint32(this.offset, true);
    this.offset += 4;
    if (tag === TAG_FP16) {
      this.need(2 * n, what);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(this.view.getUint16(this.offset + 2 * i, true));
      this.offset += Math.ceil((2 * n) / 4) * 4;
      return { data: out, storage: 'fp16' };
    }
    if (tag === 0 || tag === TAG_FP32) return { data: this.raw(n, what), storage: 'fp32' };
    throw new NcnnFormatError(`${what}: weight tag 0x${tag.toString(16).padStart(8, '0')} (int8 or quantised) is not supported; only fp16 and fp32 blobs are`);
  }
}

function num(p: ReadonlyMap<number, number | readonly number[]>, id: number, fallback: number): number {
  const v = p.get(id);
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new NcnnFormatError(`param ${id} is an array, expected a number`);
  return v;
}

/** Parse both files; every byte of the `.bin` must be read by the layers (else the layout is misread). */
export function parseNcnn(paramText: string, bin: Uint8Array): NcnnNet {
  const r = new BinReader(bin);
  const layers: NcnnLayer[] = parseNcnnParam(paramText).map((l) => {
    const weights = new Map<string, Float32Array>();
    let weightStorage: 'fp16' | 'fp32' | undefined;
    switch (l.type) {
      case 'Convolution': {
        if (num(l.params, 19, 0) !== 0) throw new NcnnFormatError(`layer ${l.name}: dynamic weights are not supported`);
        if (num(l.params, 8, 0) !== 0) throw new NcnnFormatError(`layer ${l.name}: int8 convolution is not supported`);
        const w = r.tagged(num(l.params, 6, 0), `layer ${l.name} weight`);
        weights.set('weight', w.data);
        weightStorage = w.storage;
        if (num(l.params, 5, 0) !== 0) weights.set('bias', r.raw(num(l.params, 0, 0), `layer ${l.name} bias`));
        break;
      }
      case 'PReLU':
        weights.set('slope', r.raw(num(l.params, 0, 0), `layer ${l.name} slope`));
        break;
      case 'Input':
      case 'Split':
      case 'Concat':
      case 'Eltwise':
      case 'BinaryOp':
      case 'Interp':
      case 'PixelShuffle':
        break;
      default:
        throw new NcnnFormatError(`layer ${l.name}: ncnn layer type ${l.type} is not supported (supported: Input, Convolution, PReLU, Split, Concat, Eltwise, BinaryOp, Interp, PixelShuffle)`);
    }
    return { ...l, weights, ...(weightStorage ? { weightStorage } : {}) };
  });
  if (r.offset !== bin.length) throw new NcnnFormatError(`the layers read ${r.offset} bytes of the ${bin.length}-byte .bin: the layout does not match the .param`);
  return { layers, binBytesRead: r.offset };
}

/** Number of weights (parameters) in the net. */
export function countNcnnParams(net: NcnnNet): number {
  let n = 0;
  for (const l of net.layers) for (const w of l.weights.values()) n += w.length;
  return n;
}
