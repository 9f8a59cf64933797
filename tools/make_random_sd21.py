"""A random TADSR model of Stable Diffusion 2.1-base's size, made on a fresh clone with no download, to try the
full-size path (`tadsr upscale --model OUT --prompt …`) and measure it (bench/sd21-upscale.ts).

Builds a diffusers base folder in a temporary directory exactly as SD 2.1-base's is laid out — unet/, vae/,
text_encoder/ (configs: tools/sd21-base/*.json, SD 2.1-base's published ones; weights: diffusers' / transformers'
own random initialisation, seeded) and tokenizer/ (the committed CLIP BPE fixture, test/fixtures/clip/tokenizer: a
6,514-token subset of SD 2.1's vocabulary whose ids are valid ids of the 49,408-row embedding) — and a fake TADSR
checkpoint in the authors' format (PEFT LoRA rank 4 on the official target modules, conv_in trained fully, the
time-aware encoder's time layers at the official sizes 128/256), then exports both with tools/export_checkpoint.py,
the same command as for the released weights. The base folder is removed afterwards unless --keep-base is given.

Sizes: UNet 865.9 M, VAE 83.7 M (+ time layers), text encoder 340.4 M parameters; OUT is 5.1 GB in fp32
(--dtype fp16: 2.6 GB), the temporary base folder as much again. Measured on the shared 2-core machine: peak RSS
7.8 GB, 71 s of CPU (21 min wall there, starved by a training run at nice -10).

Run:  ~/venvs/fixtures/bin/python tools/make_random_sd21.py --out /tmp/tadsr-sd21-random [--dtype fp16] [--seed 0]
Needs: torch, diffusers, transformers, safetensors (tools/requirements-fixtures.txt).
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from make_export_fixture import make_lora, unet_targets, vae_targets  # noqa: E402
from make_parity_fixtures import TimeAwareEncoder  # noqa: E402

CONFIGS = HERE / "sd21-base"
TOKENIZER = HERE.parent / "test" / "fixtures" / "clip" / "tokenizer"
TIME_PROJ_DIM, TIME_EMBED_DIM = 128, 256  # the official time-aware encoder (src/models/presets.ts officialTimeAware)


def config(name: str) -> dict:
    return {k: v for k, v in json.loads((CONFIGS / f"{name}.json").read_text()).items() if not k.startswith("_") and k != "architectures"}


def log(msg: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:6.1f} s] {msg}", flush=True)


def build_base(base: Path, t0: float) -> dict:
    """Writes base/{unet,vae,text_encoder,tokenizer}; returns the fake TADSR checkpoint."""
    unet = UNet2DConditionModel(**config("unet")).eval()
    unet.save_pretrained(base / "unet", safe_serialization=True)
    log(f"unet: {sum(p.numel() for p in unet.parameters()) / 1e6:.1f} M parameters", t0)
    targets = unet_targets(unet)
    adapters = dict(targets)
    unet_lora, _ = make_lora(unet, [m for m, _ in targets], lambda m: adapters[m])
    conv_in = {
        "conv_in.base_layer.weight": unet.conv_in.weight + 0.01 * torch.randn_like(unet.conv_in.weight),
        "conv_in.base_layer.bias": unet.conv_in.bias + 0.01 * torch.randn_like(unet.conv_in.bias),
    }
    del unet

    vae = AutoencoderKL(**config("vae")).eval()
    vae.save_pretrained(base / "vae", safe_serialization=True)
    log(f"vae: {sum(p.numel() for p in vae.parameters()) / 1e6:.1f} M parameters", t0)
    vae_lora, _ = make_lora(vae, vae_targets(vae), lambda m: "default_encoder")
    tae = TimeAwareEncoder(vae, proj_dim=TIME_PROJ_DIM, embed_dim=TIME_EMBED_DIM).eval()
    time_state = {n: p.detach().clone() for n, p in tae.named_parameters() if "time" in n}
    del vae, tae

    text = CLIPTextModel(CLIPTextConfig(**config("text_encoder"))).eval()
    text.save_pretrained(base / "text_encoder", safe_serialization=True)
    log(f"text encoder: {sum(p.numel() for p in text.parameters()) / 1e6:.1f} M parameters", t0)
    del text
    shutil.copytree(TOKENIZER, base / "tokenizer", ignore=shutil.ignore_patterns("SOURCE.json"))
    return {
        "state_dict_unet": {**unet_lora, **conv_in},
        "state_dict_vae": vae_lora,
        "state_dict_vae_time": time_state,
        "rank_unet": 4,
        "rank_vae": 4,
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, type=Path, help="the tadsr model directory to write (must not exist)")
    p.add_argument("--dtype", choices=["fp32", "fp16"], default="fp32", help="weights written to OUT (default fp32)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep-base", type=Path, help="keep the diffusers base folder and tadsr.pkl here")
    a = p.parse_args(argv)
    if a.out.exists():
        raise SystemExit(f"make_random_sd21: {a.out} exists; give a new folder")
    torch.manual_seed(a.seed)
    torch.set_grad_enabled(False)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tadsr-sd21-base-") as tmp:
        root = a.keep_base if a.keep_base else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        base = root / "base"
        ckpt = build_base(base, t0)
        ckpt_path = root / "tadsr.pkl"
        torch.save(ckpt, ckpt_path)
        del ckpt
        log(f"base folder and fake checkpoint in {root}; exporting", t0)
        cmd = [sys.executable, str(HERE / "export_checkpoint.py"), "--base", str(base), "--ckpt", str(ckpt_path),
               "--out", str(a.out), "--dtype", a.dtype]
        print(" ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    log(f"wrote {a.out} ({sum(f.stat().st_size for f in a.out.rglob('*') if f.is_file()) / 1e9:.2f} GB)", t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
