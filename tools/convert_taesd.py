#!/usr/bin/env python3
"""TAESD-family autoencoders (e.g. TAEF2) for tadsr: weight conversion and parity fixtures.

tadsr runs the TAESD architecture (madebyollin/taesd `Encoder` / `Decoder` at commit 5cccb12d, `use_midblock_gn`
for the flux_2 variant) from `src/models/taesd.ts`, with the original parameter names under `encoder.` / `decoder.`.

Convert (the original `.pth` files, e.g. ../shared/weights/taef2/taef2_{encoder,decoder}.pth):
    python tools/convert_taesd.py convert --encoder ENC.pth --decoder DEC.pth --out models/taef2/vae.safetensors
  writes one safetensors file (dtype kept: F16) with metadata `source_encoder_sha256`, `source_decoder_sha256`,
  `source`, `licence`, and prints the hashes.

Fixtures (what test/models/taesd.test.ts compares against; independent PyTorch modules written from the
architecture's description, evaluated in float64):
    python tools/convert_taesd.py fixture --out test/fixtures/taesd            # random small widths + TAE
    python tools/convert_taesd.py real-fixture --weights models/taef2/vae.safetensors --out test/fixtures/taef2
  `fixture`: random weights (width 8, latent 4, 4 levels, mid-block GN, a time-aware encoder with non-zero time
  projections); writes weights.safetensors and io.safetensors (image, latents, decoded, TAE latents at t = 1/999).
  `real-fixture`: the converted real weights on a fixed 32×32 image: io.safetensors (image, latents, decoded).

Environment: the fixtures venv (tools/requirements-fixtures.txt): torch, safetensors, numpy.
"""
import argparse
import hashlib
import math
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- reference modules (parameter names as taesd's nn.Sequential indices) -------------------------------------

class RefBlock(nn.Module):
    def __init__(self, w, gn, groups, temb_dim=None):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(w, w, 3, padding=1), nn.ReLU(), nn.Conv2d(w, w, 3, padding=1), nn.ReLU(),
                                  nn.Conv2d(w, w, 3, padding=1))
        self.pool = None
        if gn:
            self.pool = nn.Sequential(nn.Conv2d(w, 4 * w, 1, bias=False), nn.GroupNorm(groups, 4 * w), nn.ReLU(),
                                      nn.Conv2d(4 * w, w, 1, bias=False))
        self.time_emb_proj = nn.Linear(temb_dim, 2 * w) if temb_dim else None

    def forward(self, x, temb=None):
        if self.pool is not None:
            x = x + self.pool(x)
        h = self.conv[0](x)
        if self.time_emb_proj is not None:
            scale, shift = self.time_emb_proj(temb)[:, :, None, None].chunk(2, dim=1)
            h = h * (1 + scale) + shift
        h = self.conv[4](F.relu(self.conv[2](F.relu(h))))
        return F.relu(h + x)


def sinusoid(t, dim, flip=True, shift=0.0):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=t.dtype) / (half - shift))
    args = t[:, None] * freqs[None]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    return torch.cat([emb[:, half:], emb[:, :half]], dim=-1) if flip else emb


class RefEncoder(nn.Module):
    def __init__(self, w, latent, levels, gn, groups, tae=None):
        super().__init__()
        self.tae = tae
        temb = tae["embedDim"] if tae else None
        layers = [nn.Conv2d(3, w, 3, padding=1), RefBlock(w, False, groups, temb)]
        for lvl in range(1, levels):
            layers.append(nn.Conv2d(w, w, 3, padding=1, stride=2, bias=False))
            layers += [RefBlock(w, gn and lvl == levels - 1, groups, temb) for _ in range(3)]
        layers.append(nn.Conv2d(w, latent, 3, padding=1))
        self.layers = nn.ModuleList(layers)
        if tae:
            self.time_embedding = nn.ModuleDict({"linear_1": nn.Linear(tae["timeProjDim"], temb), "linear_2": nn.Linear(temb, temb)})

    def forward(self, x01, t=None):
        temb = None
        if self.tae:
            s = sinusoid(t, self.tae["timeProjDim"])
            temb = F.silu(self.time_embedding["linear_2"](F.silu(self.time_embedding["linear_1"](s))))
        h = x01
        for layer in self.layers:
            h = layer(h, temb) if isinstance(layer, RefBlock) else layer(h)
        return h

    def named_weights(self):
        out = {}
        for i, layer in enumerate(self.layers):
            for k, v in layer.state_dict().items():
                out[f"encoder.{i}.{k}"] = v
        if self.tae:
            for k, v in self.time_embedding.state_dict().items():
                out[f"encoder.time_embedding.{k}"] = v
        return out


class RefDecoder(nn.Module):
    def __init__(self, w, latent, levels, gn, groups):
        super().__init__()
        layers = [None, nn.Conv2d(latent, w, 3, padding=1), None]
        for lvl in range(levels - 1):
            layers += [RefBlock(w, gn and lvl == 0, groups) for _ in range(3)]
            layers += [None, nn.Conv2d(w, w, 3, padding=1, bias=False)]
        layers += [RefBlock(w, False, groups), nn.Conv2d(w, 3, 3, padding=1)]
        self.kinds = ["clamp", "conv", "relu"] + (["block"] * 3 + ["up", "conv"]) * (levels - 1) + ["block", "conv"]
        self.layers = nn.ModuleList([m if m is not None else nn.Identity() for m in layers])

    def forward(self, z):
        h = z
        for kind, layer in zip(self.kinds, self.layers):
            if kind == "clamp":
                h = torch.tanh(h / 3) * 3
            elif kind == "relu":
                h = F.relu(h)
            elif kind == "up":
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            else:
                h = layer(h)
        return h

    def named_weights(self):
        out = {}
        for i, layer in enumerate(self.layers):
            for k, v in layer.state_dict().items():
                out[f"decoder.{i}.{k}"] = v
        return out

    def load_named(self, weights):
        for i, layer in enumerate(self.layers):
            sd = {k[len(f"decoder.{i}."):]: v for k, v in weights.items() if k.startswith(f"decoder.{i}.")}
            if sd:
                layer.load_state_dict(sd)


def load_encoder_named(enc, weights):
    for i, layer in enumerate(enc.layers):
        sd = {k[len(f"encoder.{i}."):]: v for k, v in weights.items() if k.startswith(f"encoder.{i}.")}
        if sd:
            missing, unexpected = layer.load_state_dict(sd, strict=False)
            assert not unexpected and all("time_emb_proj" in m for m in missing), (i, missing, unexpected)


# --- commands -------------------------------------------------------------------------------------------------

def convert(args):
    enc_path, dec_path = Path(args.encoder), Path(args.decoder)
    enc = torch.load(enc_path, map_location="cpu", weights_only=True)
    dec = torch.load(dec_path, map_location="cpu", weights_only=True)
    out = {f"encoder.{k}": v.contiguous() for k, v in enc.items()}
    out.update({f"decoder.{k}": v.contiguous() for k, v in dec.items()})
    meta = {
        "format": "pt",
        "source": args.source,
        "licence": args.licence,
        "source_encoder": enc_path.name,
        "source_encoder_sha256": sha256(enc_path),
        "source_decoder": dec_path.name,
        "source_decoder_sha256": sha256(dec_path),
        "converted_by": "tools/convert_taesd.py",
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    save_file(out, args.out, metadata=meta)
    for k in ("source_encoder_sha256", "source_decoder_sha256"):
        print(f"{k} {meta[k]}")
    print(f"wrote {args.out}: {len(out)} tensors, {sum(v.numel() for v in out.values())} parameters")


def fixture(args):
    torch.manual_seed(0)
    w, latent, levels, groups = 8, 4, 4, 4
    tae = {"timeProjDim": 16, "embedDim": 12}
    enc = RefEncoder(w, latent, levels, True, groups, tae).double()
    plain = RefEncoder(w, latent, levels, True, groups).double()
    dec = RefDecoder(w, latent, levels, True, groups).double()
    with torch.no_grad():
        for m in (enc, dec):  # non-trivial norm affines and time projections
            for name, p in m.named_parameters():
                if ".pool.1." in name or "time_emb_proj" in name:
                    p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("pool.1.weight") else 0.0))
        load_encoder_named(plain, {k: v for k, v in enc.named_weights().items() if "time_emb" not in k})
    weights = {**enc.named_weights(), **dec.named_weights()}
    x = torch.rand(2, 3, 32, 24, dtype=torch.float64) * 2 - 1
    t = torch.tensor([1.0, 999.0], dtype=torch.float64)
    with torch.no_grad():
        z = plain((x + 1) / 2)
        zt = enc((x + 1) / 2, t)
        y = dec(z) * 2 - 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.float().contiguous() for k, v in weights.items()}, str(out / "weights.safetensors"))
    save_file({"image": x.float(), "timestep": t.float(), "latents": z.float(), "tae_latents": zt.float(),
               "decoded": y.float()}, str(out / "io.safetensors"),
              metadata={"width": str(w), "latent": str(latent), "levels": str(levels), "groups": str(groups),
                        "timeProjDim": str(tae["timeProjDim"]), "embedDim": str(tae["embedDim"])})
    print(f"wrote {out}")


def real_fixture(args):
    weights = {k: v.double() for k, v in load_file(args.weights).items()}
    w = weights["encoder.0.weight"].shape[0]
    latent = weights["decoder.1.weight"].shape[1]
    enc = RefEncoder(w, latent, 4, True, 4).double()
    dec = RefDecoder(w, latent, 4, True, 4).double()
    load_encoder_named(enc, weights)
    dec.load_named(weights)
    g = torch.Generator().manual_seed(1)
    # a smooth image with edges (random noise would be off the training distribution)
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 32, dtype=torch.float64), torch.linspace(0, 1, 32, dtype=torch.float64), indexing="ij")
    img = torch.stack([torch.sin(6 * xx) * 0.5 + 0.5, (yy > 0.5).double() * 0.6 + 0.2, xx * yy])[None]
    img = (img + 0.05 * torch.rand(img.shape, generator=g, dtype=torch.float64)).clamp(0, 1)
    x = img * 2 - 1
    with torch.no_grad():
        z = enc(img)
        y = dec(z) * 2 - 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({"image": x.float(), "latents": z.float(), "decoded": y.float()}, str(out / "io.safetensors"),
              metadata={"weights_sha256": sha256(Path(args.weights))})
    print(f"wrote {out}: latent std {z.std().item():.4f} mean {z.mean().item():.4f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--encoder", required=True)
    c.add_argument("--decoder", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--source", default="madebyollin/taesd @ 5cccb12dc72074a4be35680c3b108548a7c69978")
    c.add_argument("--licence", default="MIT")
    f = sub.add_parser("fixture")
    f.add_argument("--out", default="test/fixtures/taesd")
    r = sub.add_parser("real-fixture")
    r.add_argument("--weights", required=True)
    r.add_argument("--out", default="test/fixtures/taef2")
    args = ap.parse_args()
    {"convert": convert, "fixture": fixture, "real-fixture": real_fixture}[args.cmd](args)


if __name__ == "__main__":
    main()
