/**
 * The ncnn reader and the ncnn → ONNX conversion on small nets built here (real .param text and .bin bytes in
 * ncnn's layout: tagged fp16 / fp32 weight blobs, untagged fp32 bias and slopes), run on ONNX Runtime through
 * the peer upscaler and checked against the same maths written out in TypeScript.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createImage } from '../../src/image.js';
import { toHalf } from '../../src/models/safetensors.js';
import { NcnnFormatError, halfToFloat, parseNcnn, parseNcnnParam } from '../../src/peers/ncnn.js';
import { convertNcnnPeer } from '../../src/peers/peer-dir.js';
import { PeerUpscaler } from '../../src/peers/peer-upscaler.js';

const tmp = mkdtempSync(join(tmpdir(), 'tadsr-ncnn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bytes of a .bin: type-0 blobs get a tag (fp16 padded to 4 bytes, or fp32), type-1 blobs are raw fp32. */
function bin(blobs: ({ tagged: 'fp16' | 'fp32'; data: number[] } | { raw: number[] })[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const b of blobs) {
    if ('raw' in b) {
      const buf = Buffer.alloc(4 * b.raw.length);
      b.raw.forEach((v, i) => buf.writeFloatLE(v, 4 * i));
      parts.push(buf);
    } else if (b.tagged === 'fp16') {
      const buf = Buffer.alloc(4 + Math.ceil((2 * b.data.length) / 4) * 4);
      buf.writeUInt32LE(0x01306b47, 0);
      b.data.forEach((v, i) => buf.writeUInt16LE(toHalf(v), 4 + 2 * i));
      parts.push(buf);
    } else {
      const buf = Buffer.alloc(4 + 4 * b.data.length);
      b.data.forEach((v, i) => buf.writeFloatLE(v, 4 + 4 * i));
      parts.push(buf);
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

// A ×2 net with every layer kind the peers use: conv 1×1 (3→12, fp16, 3 weights → odd count padded) + leaky
// ReLU, PReLU, split, concat, weighted eltwise sum, pixel shuffle ×2, nearest interp ×2 of the input, add.
const W1 = Array.from({ length: 36 }, (_, i) => ((i * 37) % 17) / 17 - 0.5);
const B1 = Array.from({ length: 12 }, (_, i) => (i - 6) / 20);
const SLOPE = Array.from({ length: 12 }, (_, i) => 0.1 + i / 40);
const W2 = Array.from({ length: 12 * 24 }, (_, i) => ((i * 13) % 11) / 22 - 0.25);
const B2 = Array.from({ length: 12 }, () => 0.01);
const PARAM = `7767517
11 13
Input            in0   0 1 data
Split            sp    1 2 data d0 d1
Convolution      c1    1 1 d0 a 0=12 1=1 5=1 6=36 9=2 -23310=1,2.000000e-01
PReLU            pr    1 1 a b 0=12
Split            sp2   1 3 b b0 b1 b2
Concat           cat   2 1 b0 b1 cc
Convolution      c2    1 1 cc e 0=12 1=1 5=1 6=288
Eltwise          ew    2 1 e b2 f 0=1 -23301=2,5.000000e-01,1.000000e+00
PixelShuffle     ps    1 1 f g 0=2
Interp           up    1 1 d1 h 0=1 1=2.000000e+00 2=2.000000e+00
BinaryOp         add   2 1 g h output
`;
const BIN = bin([{ tagged: 'fp16', data: W1 }, { raw: B1 }, { raw: SLOPE }, { tagged: 'fp32', data: W2 }, { raw: B2 }]);

/** The same net in plain TypeScript (weights fp16-rounded where the file stores fp16). */
function reference(x: Float32Array, h: number, w: number): Float32Array {
  const P = h * w;
  const w1 = W1.map((v) => halfToFloat(toHalf(v)));
  const b = new Float64Array(12 * P);
  for (let o = 0; o < 12; o++) {
    for (let i = 0; i < P; i++) {
      let s = Math.fround(B1[o]!);
      for (let c = 0; c < 3; c++) s += w1[o * 3 + c]! * x[c * P + i]!;
      s = s >= 0 ? s : 0.2 * s;
      b[o * P + i] = s >= 0 ? s : Math.fround(SLOPE[o]!) * s;
    }
  }
  const f = new Float64Array(12 * P);
  for (let o = 0; o < 12; o++) {
    for (let i = 0; i < P; i++) {
      let s = Math.fround(B2[o]!);
      for (let c = 0; c < 24; c++) s += Math.fround(W2[o * 24 + c]!) * b[(c % 12) * P + i]!;
      f[o * P + i] = 0.5 * s + b[o * P + i]!;
    }
  }
  const H = 2 * h;
  const W = 2 * w;
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const src = (c * 4 + (y % 2) * 2 + (xx % 2)) * P + (y >> 1) * w + (xx >> 1); // PyTorch PixelShuffle (CRD)
        out[c * H * W + y * W + xx] = f[src]! + x[c * P + (y >> 1) * w + (xx >> 1)]!;
      }
    }
  }
  return out;
}

describe('ncnn reader', () => {
  it('reads tagged fp16 (padded) and fp32 weight blobs, untagged fp32 bias and slopes, and every byte of the .bin', () => {
    const net = parseNcnn(PARAM, BIN);
    const c1 = net.layers.find((l) => l.name === 'c1')!;
    expect(c1.weightStorage).toBe('fp16');
    expect([...c1.weights.get('weight')!]).toEqual(W1.map((v) => halfToFloat(toHalf(v))));
    expect([...c1.weights.get('bias')!]).toEqual(B1.map((v) => Math.fround(v)));
    expect(net.layers.find((l) => l.name === 'c2')!.weightStorage).toBe('fp32');
    expect([...net.layers.find((l) => l.name === 'pr')!.weights.get('slope')!]).toEqual(SLOPE.map((v) => Math.fround(v)));
    expect(net.layers.find((l) => l.name === 'ew')!.params.get(1)).toEqual([0.5, 1]);
    expect(net.binBytesRead).toBe(BIN.length);
  });

  it('rejects a wrong magic, a short or long .bin, unknown layers and quantised blobs, naming the problem', () => {
    expect(() => parseNcnnParam('123\n0 0\n')).toThrow(/magic/);
    expect(() => parseNcnn(PARAM, BIN.slice(0, BIN.length - 4))).toThrow(/ends at/);
    expect(() => parseNcnn(PARAM, new Uint8Array([...BIN, 0, 0, 0, 0]))).toThrow(/read \d+ bytes of the \d+-byte/);
    expect(() => parseNcnn(PARAM.replace('PReLU           ', 'Sigmoid         '), BIN)).toThrow(NcnnFormatError);
    const quantised = new Uint8Array(BIN);
    quantised[0] = 0x12;
    expect(() => parseNcnn(PARAM, quantised)).toThrow(/tag 0x/);
    expect(() => parseNcnnParam('7767517\n2 2\nInput in0 0 1 data\n')).toThrow(/declares 2 layers/);
  });
});

describe('ncnn → ONNX peer', () => {
  it('runs on ONNX Runtime and matches the net written out in TypeScript; the folder records the SHA-256', async () => {
    writeFileSync(join(tmp, 'net.param'), PARAM);
    writeFileSync(join(tmp, 'net.bin'), BIN);
    const out = join(tmp, 'peer');
    const m = await convertNcnnPeer({ param: join(tmp, 'net.param'), bin: join(tmp, 'net.bin'), out, name: 'toy', scale: 2 });
    expect(m.source.bin.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.source.bin.bytes).toBe(BIN.length);
    expect(m.params).toBe(36 + 12 + 12 + 288 + 12);
    const h = 5;
    const w = 7;
    const img = new Float32Array(h * w * 3);
    for (let i = 0; i < img.length; i++) img[i] = ((i * 7919) % 101) / 100;
    const chw = new Float32Array(3 * h * w);
    for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) chw[c * h * w + i] = img[3 * i + c]!;
    const want = reference(chw, h, w);
    const up = await PeerUpscaler.load(out, { threads: 1 });
    try {
      const got = await up.run(createImage(w, h, img));
      let maxDiff = 0;
      let inRange = 0;
      const P = 4 * h * w;
      for (let i = 0; i < P; i++) {
        for (let c = 0; c < 3; c++) {
          const r = Math.min(1, Math.max(0, want[c * P + i]!));
          maxDiff = Math.max(maxDiff, Math.abs(got.data[3 * i + c]! - r));
          if (want[c * P + i]! > 0 && want[c * P + i]! < 1) inRange++;
        }
      }
      expect(inRange).toBeGreaterThan(P / 4); // the comparison is not all clamped away
      expect(maxDiff).toBeLessThan(1e-5);
    } finally {
      await up.dispose();
    }
  });
});
