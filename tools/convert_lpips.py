#!/usr/bin/env python3
"""LPIPS-VGG (v0.1) weights for tadsr, and the small parity fixture of its tests.

tadsr reads LPIPS weights by path from one safetensors file with the `lpips` package's parameter names:
    scaling_layer.shift / scaling_layer.scale        [1, 3, 1, 1]
    net.slice1.0.weight ... net.slice5.28.bias       torchvision VGG16 `features` convs, indices kept
    lin0.model.1.weight ... lin4.model.1.weight      [1, C, 1, 1]  (LPIPS v0.1 linear calibration, no bias)

Convert (run by a user once; it reads torchvision's ImageNet VGG16 and the linear layers shipped inside the
`lpips` PyPI package; torchvision downloads the VGG16 weights to its cache the first time unless --vgg names a
local state dict):
    python tools/convert_lpips.py convert --out models/lpips/lpips_vgg_v0.1.safetensors [--vgg vgg16.pth] [--lin vgg.pth]

Fixture (random weights, no download; what test/models/lpips.test.ts compares against):
    python tools/convert_lpips.py fixture [--out test/fixtures/lpips] [--widths 4,8,12,16,16]
    python tools/convert_lpips.py fixture --out /tmp/lpips-full --widths 64,128,256,512,512   # full-size, random
The fixture builds the real `lpips.LPIPS(net='vgg')` module, swaps its VGG convs and linear layers for random ones
of the given widths (the forward code is width-agnostic), evaluates it in float64 on fixed inputs in [-1, 1], and
writes `weights.safetensors` (F32) and `io.safetensors` (inputs, per-layer terms, the LPIPS value and
d(sum LPIPS)/d in0, F32).

Environment: python -m venv ~/venvs/lpips && ~/venvs/lpips/bin/pip install torch torchvision lpips==0.1.4 safetensors
"""
import argparse
import json
from pathlib import Path

import torch
from safetensors.torch import save_file

# VGG16 `features` indices of the convs in each LPIPS slice (ReLU follows each; a max-pool opens slices 2..5).
SLICES = {1: [0, 2], 2: [5, 7], 3: [10, 12, 14], 4: [17, 19, 21], 5: [24, 26, 28]}


def lpips_state_from(vgg_features_state: dict, lin_state: dict, scaling: dict) -> dict:
    """Name a torchvision `vgg16().features` state dict and lpips' `vgg.pth` linear layers as `lpips.LPIPS` does."""
    out = {k: v for k, v in scaling.items()}
    for s, convs in SLICES.items():
        for i in convs:
            out[f"net.slice{s}.{i}.weight"] = vgg_features_state[f"{i}.weight"]
            out[f"net.slice{s}.{i}.bias"] = vgg_features_state[f"{i}.bias"]
    for k in range(5):
        out[f"lin{k}.model.1.weight"] = lin_state[f"lin{k}.model.1.weight"]
    return {k: v.detach().float().contiguous() for k, v in out.items()}


def convert(args: argparse.Namespace) -> None:
    import lpips
    import torchvision

    if args.vgg:
        state = torch.load(args.vgg, map_location="cpu")
        features = {k[len("features."):]: v for k, v in state.items() if k.startswith("features.")} or state
    else:
        vgg = torchvision.models.vgg16(weights=torchvision.models.VGG16_Weights.IMAGENET1K_V1)
        features = vgg.features.state_dict()
    lin_path = args.lin or str(Path(lpips.__file__).parent / "weights" / "v0.1" / "vgg.pth")
    lin = torch.load(lin_path, map_location="cpu")
    scaling = lpips.ScalingLayer().state_dict()
    scaling = {f"scaling_layer.{k}": v for k, v in scaling.items()}
    state = lpips_state_from(features, lin, scaling)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    save_file(state, args.out, metadata={"format": "pt", "model": "lpips-vgg-v0.1", "source": "torchvision vgg16 IMAGENET1K_V1 + lpips 0.1.4 vgg.pth"})
    # Check: every name and shape is what lpips.LPIPS(net='vgg') holds (built without downloading anything).
    ref = lpips.LPIPS(net="vgg", pnet_rand=True, pretrained=False, verbose=False)
    expected = {k: tuple(v.shape) for k, v in ref.state_dict().items() if not k.startswith("lins.")}
    got = {k: tuple(v.shape) for k, v in state.items()}
    assert expected == got, f"names/shapes differ from lpips.LPIPS: {set(expected) ^ set(got)}"
    print(f"wrote {args.out}: {len(state)} tensors")


def fixture(args: argparse.Namespace) -> None:
    import lpips
    from lpips.pretrained_networks import vgg16 as _  # noqa: F401  (the module the slices live in)

    widths = [int(w) for w in args.widths.split(",")]
    assert len(widths) == 5
    torch.manual_seed(args.seed)
    model = lpips.LPIPS(net="vgg", pnet_rand=True, pretrained=False, verbose=False)
    # Narrow the VGG: replace every conv by a random conv of the fixture widths (ReLU / max-pool layers stay).
    cin = 3
    for s, convs in SLICES.items():
        sl = getattr(model.net, f"slice{s}")
        for i in convs:
            conv = torch.nn.Conv2d(cin, widths[s - 1], 3, padding=1)
            with torch.no_grad():
                conv.weight.normal_(0, (2.0 / (9 * cin)) ** 0.5)
                conv.bias.normal_(0, 0.1)
            sl._modules[str(i)] = conv
            cin = widths[s - 1]
    for k in range(5):
        lin = lpips.NetLinLayer(widths[k], 1, use_dropout=True)
        with torch.no_grad():
            lin.model[1].weight.uniform_(0.0, 1.0)
        model.lins[k] = lin
        setattr(model, f"lin{k}", lin)
    model = model.double().eval()

    g = torch.Generator().manual_seed(args.seed + 1)
    b, h, w = 2, args.height, args.width
    in0 = torch.rand(b, 3, h, w, generator=g, dtype=torch.float64) * 2 - 1
    in1 = (in0 + 0.3 * torch.randn(b, 3, h, w, generator=g, dtype=torch.float64)).clamp(-1, 1)
    # Store inputs as float32 and evaluate the reference on exactly those values.
    in0 = in0.float().double()
    in1 = in1.float().double()
    in0.requires_grad_(True)
    val, layers = model(in0, in1, retPerLayer=True)
    (grad0,) = torch.autograd.grad(val.sum(), in0)
    assert torch.isfinite(grad0).all(), "reference gradient has non-finite values (a zero feature vector)"
    val, layers, in0 = val.detach(), [t.detach() for t in layers], in0.detach()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.float().contiguous() for k, v in model.state_dict().items() if not k.startswith("lins.")}
    save_file(state, str(out / "weights.safetensors"), metadata={"model": "lpips-vgg-v0.1 (random fixture)", "widths": args.widths})
    io = {"in0": in0.float(), "in1": in1.float(), "lpips": val.float(), "grad_in0": grad0.float()}
    for k, t in enumerate(layers):
        io[f"layer{k}"] = t.float()
    save_file({k: v.contiguous() for k, v in io.items()}, str(out / "io.safetensors"))
    (out / "README.md").write_text(
        "LPIPS-VGG v0.1 parity fixture: `lpips.LPIPS(net='vgg')` (lpips 0.1.4) with random VGG convs of widths "
        f"{widths} and random non-negative linear layers, evaluated in float64 on `io.safetensors` in0/in1 "
        f"({b}x3x{h}x{w}, values in [-1, 1]).\nMade by `python tools/convert_lpips.py fixture --out {args.out} "
        f"--widths {args.widths} --seed {args.seed}`.\n"
    )
    print(json.dumps({"lpips": val.flatten().tolist(), "layers": [t.flatten().tolist() for t in layers]}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--out", required=True)
    c.add_argument("--vgg", help="local torchvision vgg16 state dict (.pth); default: torchvision's IMAGENET1K_V1")
    c.add_argument("--lin", help="lpips linear layers (.pth); default: the one inside the lpips package")
    f = sub.add_parser("fixture")
    f.add_argument("--out", default="test/fixtures/lpips")
    f.add_argument("--widths", default="4,8,12,16,16")
    f.add_argument("--height", type=int, default=40)
    f.add_argument("--width", type=int, default=52)
    f.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    convert(args) if args.cmd == "convert" else fixture(args)


if __name__ == "__main__":
    main()
