#!/usr/bin/env python3
"""ST-LPIPS (shift-tolerant LPIPS, `stlpips-pytorch` 0.0.2, BSD-2-Clause) weights for tadsr, and the parity
fixtures of test/models/stlpips.test.ts.

The package ships complete models (trunk + linear layers, trained on BAPPS):
    stlpips_pytorch/weights/vST0.0/alex_shift_tolerant.pth   (2.47 M parameters)
    stlpips_pytorch/weights/vST0.0/vgg_shift_tolerant.pth    (14.7 M parameters)
tadsr reads one safetensors file with the package's parameter names (scaling_layer.*, net.sliceS.I.weight/bias,
the blur buffers net.sliceS.I.filt, linK.model.1.weight); src/models/stlpips.ts tells the trunk from the names.

Get the wheel (PyPI, a zip; nothing needs installing to read the weights):
    pip download --no-deps stlpips-pytorch==0.0.2 -d /tmp/stlpips
Convert (records the .pth's SHA-256 in the file's metadata and prints it; conv weights F16 by default, the
small tensors F32):
    python tools/convert_stlpips.py convert --src /tmp/stlpips/stlpips_pytorch-0.0.2-py3-none-any.whl --net alex \
        --out models/stlpips/alex_shift_tolerant.f16.safetensors
    python tools/convert_stlpips.py convert --src ...whl --net vgg --dtype f32 --out models/stlpips/vgg_shift_tolerant.safetensors
Reference values of the package on converted weights (fixed synthetic images: a 1-pixel shift, a σ=1.5 blur,
noise; value, layer terms and d/d in0), what the real-weights test compares against:
    python tools/convert_stlpips.py reference --src ...whl --weights models/stlpips/alex_shift_tolerant.f16.safetensors \
        --out test/fixtures/stlpips-real/alex
Random narrow fixture (no weights needed: the package's own modules with random convs of the given widths):
    python tools/convert_stlpips.py fixture --net alex --out test/fixtures/stlpips/alex --widths 4,8,12,8,8
Sanity numbers on a real photo (read by path; identical 0, 1-pixel shift, σ=1.5 blur):
    python tools/convert_stlpips.py sanity --src ...whl --net alex --image ../shared/data/.../x.png

The reference is the package's own code (`stlpips.LPIPS(net=…, variant='shift_tolerant')`), imported from the
wheel given by --src (or an installed `stlpips_pytorch`). It imports torchvision, torchsummary and IPython at
module level but its shift-tolerant trunks use none of them; where one is not installed an empty stand-in module
is registered so the import succeeds (anything that touched it would fail loudly).

Environment: the fixtures venv (tools/requirements-fixtures.txt: torch, safetensors, numpy, pillow).
"""
import argparse
import hashlib
import io
import json
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

PTH = {"alex": "stlpips_pytorch/weights/vST0.0/alex_shift_tolerant.pth", "vgg": "stlpips_pytorch/weights/vST0.0/vgg_shift_tolerant.pth"}
PACKAGE = "stlpips-pytorch==0.0.2"
LICENSE = "BSD-2-Clause, Copyright (c) 2022 Abhijay Ghildyal, Feng Liu (github.com/abhijay9/ShiftTolerant-LPIPS)"


def _stand_in(name: str, **attrs) -> None:
    try:
        __import__(name)
    except ImportError:
        mod = types.ModuleType(name)
        for k, v in attrs.items():
            setattr(mod, k, v)
        sys.modules[name] = mod


def import_stlpips(src: str | None):
    """The package's `stlpips` module, from the wheel `src` (extracted next to it) or an installed package."""
    if src:
        src_p = Path(src)
        if src_p.suffix == ".whl":
            root = src_p.parent / (src_p.stem + "-unpacked")
            if not (root / "stlpips_pytorch" / "stlpips.py").exists():
                zipfile.ZipFile(src_p).extractall(root)
            src_p = root
        sys.path.insert(0, str(src_p))

    class _Unused:
        def __getattr__(self, item):
            raise RuntimeError(f"stand-in module used: {item} (install the real package)")

    _stand_in("IPython", embed=lambda *a, **k: None)
    _stand_in("torchsummary", summary=lambda *a, **k: None)
    _stand_in("torchvision", models=_Unused())
    from stlpips_pytorch import stlpips  # noqa: E402

    return stlpips


def read_pth(src: str, net: str) -> tuple[dict, bytes]:
    """The state dict and raw bytes of the package's .pth for `net`, from the wheel or a .pth path."""
    if src.endswith(".whl"):
        raw = zipfile.ZipFile(src).read(PTH[net])
    else:
        raw = Path(src).read_bytes()
    return torch.load(io.BytesIO(raw), map_location="cpu"), raw


def load_converted(path: str) -> tuple[dict, dict]:
    with safe_open(path, "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})


def build_model(stlpips, net: str, state: dict | None = None):
    """The package's model in float64, eval mode; `state` (converted names) loaded strictly when given."""
    model = stlpips.LPIPS(pretrained=False, net=net, variant="shift_tolerant", verbose=False)
    if state is not None:
        own = model.state_dict()
        want = {k for k in own if not k.startswith("lins.")}
        assert set(state) == want, f"names differ from stlpips.LPIPS({net}): {sorted(set(state) ^ want)[:8]}"
        for k, v in state.items():
            assert tuple(own[k].shape) == tuple(v.shape), f"{k}: {tuple(v.shape)} vs {tuple(own[k].shape)}"
        model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    return model.double().eval()


def convert(args: argparse.Namespace) -> None:
    state, raw = read_pth(args.src, args.net)
    sha = hashlib.sha256(raw).hexdigest()
    out = {}
    for k, v in state.items():
        v = v.detach().float().contiguous()
        # Only the conv weights carry the size; scaling, biases, blur buffers and linear layers stay F32.
        if args.dtype == "f16" and k.endswith(".weight") and k.startswith("net."):
            v = v.half()
        out[k] = v
    meta = {
        "format": "pt",
        "model": f"stlpips-{args.net}-vST0.0",
        "net": args.net,
        "source": f"{PACKAGE} {PTH[args.net]}",
        "source_sha256": sha,
        "conv_dtype": args.dtype.upper(),
        "license": LICENSE,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    save_file(out, args.out, metadata=meta)
    if not args.no_check:
        stlpips = import_stlpips(args.src)
        build_model(stlpips, args.net, out)  # asserts names and shapes match the package's module
    n = sum(v.numel() for v in out.values())
    print(json.dumps({"out": args.out, "tensors": len(out), "parameters": n, "source": meta["source"], "source_sha256": sha, "bytes": Path(args.out).stat().st_size}))


def synthetic_image(h: int, w: int, seed: int, grain: float = 0.015) -> np.ndarray:
    """A deterministic photo-like RGB image in [0, 1] (HWC): smooth colour gradients, discs, bars, texture, grain."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([0.5 + 0.3 * np.sin(xx / w * np.pi * (1 + c) + c) * np.cos(yy / h * np.pi * (2 - c * 0.5)) for c in range(3)], -1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(h / 12, h / 4)
        col = rng.uniform(0, 1, 3)
        m = ((yy - cy) ** 2 + (xx - cx) ** 2) < r * r
        img[m] = 0.3 * img[m] + 0.7 * col
    for _ in range(4):
        x0 = int(rng.uniform(0, w - 4))
        img[:, x0 : x0 + 2] = rng.uniform(0, 1, 3)
    img += 0.04 * (np.sin(xx * 1.7) * np.sin(yy * 2.3))[..., None]
    # Grain everywhere, inside [0, 1] without clipping: no flat patches, so no near-tied max-pool windows whose
    # argmax (and so the gradient) float32 and float64 could pick differently.
    img = 0.05 + 0.9 * np.clip(img, 0, 1) + grain * rng.standard_normal(img.shape)
    return np.clip(img, 0, 1)


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of HWC, radius ⌈3σ⌉, reflect borders."""
    r = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    p = np.pad(img, ((r, r), (r, r), (0, 0)), mode="reflect")
    p = sum(k[i] * p[:, i : i + img.shape[1]] for i in range(2 * r + 1))
    return sum(k[i] * p[i : i + img.shape[0]] for i in range(2 * r + 1))


def distortions(img: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(reference, distorted) pairs, HWC in [0, 1]: 1-pixel shift (crop of a 1-pixel-larger image), σ=1.5 blur, noise."""
    h, w = img.shape[0] - 1, img.shape[1] - 1
    ref = img[:h, :w]
    shifted = img[1 : h + 1, 1 : w + 1]
    blurred = gaussian_blur(img, 1.5)[:h, :w]
    noisy = np.clip(ref + 0.1 * np.random.default_rng(seed).standard_normal(ref.shape), 0, 1)
    return np.stack([ref, ref, ref]), np.stack([shifted, blurred, noisy]), ["shift1px", "blur1.5", "noise0.1"]


def to_nchw(x: np.ndarray) -> torch.Tensor:
    """HWC/NHWC [0, 1] → NCHW [-1, 1] float64 with float32 values (what the test feeds)."""
    t = torch.from_numpy(np.ascontiguousarray(x)).double()
    t = t.permute(0, 3, 1, 2) if t.dim() == 4 else t.permute(2, 0, 1)[None]
    return (t * 2 - 1).float().double()


def evaluate(model, in0: torch.Tensor, in1: torch.Tensor) -> dict:
    in0 = in0.clone().requires_grad_(True)
    val, layers = model(in0, in1, retPerLayer=True)
    (grad0,) = torch.autograd.grad(val.sum(), in0)
    assert torch.isfinite(grad0).all(), "reference gradient has non-finite values"
    io_ = {"in0": in0.detach().float(), "in1": in1.float(), "stlpips": val.detach().float(), "grad_in0": grad0.float()}
    # The package sums in place (`val = res[0]; val += res[l]`), so res[0] *is* the total: take it back out.
    layers = [t.detach() for t in layers]
    layers[0] = val.detach() - sum(layers[1:])
    for k, t in enumerate(layers):
        io_[f"layer{k}"] = t.float()
    return io_


def reference(args: argparse.Namespace) -> None:
    stlpips = import_stlpips(args.src)
    state, meta = load_converted(args.weights)
    net = meta.get("net") or ("alex" if "net.slice1.1.filt" in state else "vgg")
    model = build_model(stlpips, net, state)
    ref, dist, names = distortions(synthetic_image(args.size + 1, args.size + 1, args.seed), args.seed)
    io_ = evaluate(model, to_nchw(ref), to_nchw(dist))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in io_.items()}, str(out / "io.safetensors"), metadata={
        "net": net, "weights_source_sha256": meta.get("source_sha256", ""), "pairs": ",".join(names),
        "made_by": f"python tools/convert_stlpips.py reference --weights {args.weights} --size {args.size} --seed {args.seed}"})
    print(json.dumps({"net": net, **{n: float(v) for n, v in zip(names, io_["stlpips"].flatten())}}))


def sanity(args: argparse.Namespace) -> None:
    from PIL import Image

    stlpips = import_stlpips(args.src)
    state, _ = read_pth(args.src, args.net)
    model = build_model(stlpips, args.net, {k: v for k, v in state.items()})
    res = {}
    for path in args.image:
        img = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255
        img = img[: args.crop + 1, : args.crop + 1] if args.crop else img
        ref, dist, names = distortions(img, args.seed)
        with torch.no_grad():
            d = model(to_nchw(ref), to_nchw(dist)).flatten().tolist()
            same = float(model(to_nchw(ref[:1]), to_nchw(ref[:1])).flatten()[0])
        res[path] = {"identical": same, **dict(zip(names, d))}
    print(json.dumps(res, indent=1))


def fixture(args: argparse.Namespace) -> None:
    stlpips = import_stlpips(args.src)
    from stlpips_pytorch.models_lpf.downsample import Downsample

    widths = [int(w) for w in args.widths.split(",")]
    assert len(widths) == 5
    torch.manual_seed(args.seed)
    model = stlpips.LPIPS(pretrained=False, net=args.net, variant="shift_tolerant", verbose=False)
    # Narrow the trunk: every conv becomes a random conv of the fixture widths (same kernel, stride, padding);
    # every BlurPool is rebuilt for its new channel count. ReLU / max-pool layers stay.
    cin = 3
    for s in range(1, 6):
        sl = getattr(model.net, f"slice{s}")
        for name, mod in list(sl._modules.items()):
            if isinstance(mod, torch.nn.Conv2d):
                conv = torch.nn.Conv2d(cin, widths[s - 1], mod.kernel_size, stride=mod.stride, padding=mod.padding)
                with torch.no_grad():
                    conv.weight.normal_(0, (2.0 / (mod.kernel_size[0] * mod.kernel_size[1] * cin)) ** 0.5)
                    conv.bias.normal_(0, 0.1)
                sl._modules[name] = conv
                cin = widths[s - 1]
            elif isinstance(mod, Downsample):
                sl._modules[name] = Downsample(filt_size=mod.filt_size, stride=mod.stride, channels=cin, pad_more=True)
    for k in range(5):
        lin = stlpips.NetLinLayer(widths[k], use_dropout=True)
        with torch.no_grad():
            lin.model[1].weight.uniform_(0.0, 1.0)
        model.lins[k] = lin
        setattr(model, f"lin{k}", lin)
    model = model.double().eval()

    g = torch.Generator().manual_seed(args.seed + 1)
    b, h, w = 2, args.height, args.width
    in0 = torch.rand(b, 3, h, w, generator=g, dtype=torch.float64) * 2 - 1
    in1 = (in0 + 0.3 * torch.randn(b, 3, h, w, generator=g, dtype=torch.float64)).clamp(-1, 1)
    io_ = evaluate(model, in0.float().double(), in1.float().double())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.float().contiguous() for k, v in model.state_dict().items() if not k.startswith("lins.")}
    save_file(state, str(out / "weights.safetensors"), metadata={"model": f"stlpips-{args.net} (random fixture)", "net": args.net, "widths": args.widths})
    save_file({k: v.contiguous() for k, v in io_.items()}, str(out / "io.safetensors"))
    (out / "README.md").write_text(
        f"ST-LPIPS-{args.net} parity fixture: `stlpips.LPIPS(net='{args.net}', variant='shift_tolerant')` ({PACKAGE}) "
        f"with random trunk convs of widths {widths} and random non-negative linear layers, evaluated in float64 on "
        f"`io.safetensors` in0/in1 ({b}x3x{h}x{w}, values in [-1, 1]).\nMade by `python tools/convert_stlpips.py fixture "
        f"--src stlpips_pytorch-0.0.2-py3-none-any.whl --net {args.net} --out {args.out} --widths {args.widths} "
        f"--height {h} --width {w} --seed {args.seed}`.\n"
    )
    print(json.dumps({"stlpips": io_["stlpips"].flatten().tolist(), "layers": [io_[f"layer{k}"].flatten().tolist() for k in range(5)]}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--src", required=True, help="the stlpips-pytorch wheel, or the .pth itself")
    c.add_argument("--net", choices=["alex", "vgg"], required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--dtype", choices=["f16", "f32"], default="f16", help="dtype of the trunk conv weights")
    c.add_argument("--no-check", action="store_true", help="skip the name/shape check against the package's module")
    r = sub.add_parser("reference")
    r.add_argument("--src", help="the wheel (for the package's code); default: an installed stlpips_pytorch")
    r.add_argument("--weights", required=True, help="a converted .safetensors")
    r.add_argument("--out", required=True)
    r.add_argument("--size", type=int, default=64)
    r.add_argument("--seed", type=int, default=3)
    s = sub.add_parser("sanity")
    s.add_argument("--src", required=True)
    s.add_argument("--net", choices=["alex", "vgg"], required=True)
    s.add_argument("--image", nargs="+", required=True)
    s.add_argument("--crop", type=int, default=256, help="top-left crop size (0: whole image)")
    s.add_argument("--seed", type=int, default=3)
    f = sub.add_parser("fixture")
    f.add_argument("--src", help="the wheel (for the package's code); default: an installed stlpips_pytorch")
    f.add_argument("--net", choices=["alex", "vgg"], required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--widths", default="4,8,12,8,8")
    f.add_argument("--height", type=int, default=40)
    f.add_argument("--width", type=int, default=52)
    f.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    {"convert": convert, "reference": reference, "sanity": sanity, "fixture": fixture}[args.cmd](args)


if __name__ == "__main__":
    main()
