"""Export a released TADSR or OSEDiff PyTorch checkpoint to a tadsr model directory (what `tadsr upscale --model`
and the ONNX backend run): model.json + unet.safetensors + vae.safetensors, LoRA merged, diffusers names.

Inputs
  --base DIR   the diffusers SD 2.1-base folder the checkpoint was trained on: DIR/unet/{config.json,
               diffusion_pytorch_model.safetensors} and DIR/vae/{...} (TADSR's DIR/time_vae is used for the VAE when
               present; its time layers are overwritten by the checkpoint's)
  --ckpt FILE  the checkpoint saved by the authors' code (torch.save of a dict):
               state_dict_unet (PEFT LoRA tensors `<module>.lora_{A,B}.<adapter>.weight` + conv_in, trained fully),
               state_dict_vae (encoder LoRA), state_dict_vae_time (TADSR only: the time-aware encoder's time layers),
               rank_unet, rank_vae, and the target-module lists.
  --out DIR    the model directory to write
  (text)       when DIR/text_encoder/{config.json, model.safetensors} and DIR/tokenizer/{vocab.json, merges.txt, …}
               exist (SD 2.1-base has both), the text encoder is exported too (text-encoder.safetensors, transformers
               names `text_model.…`, frozen: the checkpoint does not touch it) and the tokenizer folder copied, so
               `tadsr upscale --prompt/--tags` conditions the UNet as the official inference does; --no-text skips it
               (the UNet then gets a fixed all-zero condition)

Merging: W' = W + (alpha / rank) · B·A per adapted module (PEFT; the authors' LoraConfig leaves lora_alpha at
PEFT's default 8, so with rank 4 the scale is 2 — override with --lora-alpha). Convolutions: A is a k×k conv to
rank channels, B a 1×1 conv, so ΔW = (B[:, :, 0, 0] @ A.flatten(1)).view_as(W).

Which formula: TADSR's code computes ẑ = z/α_t − ε ("official"); OSEDiff uses DDPMScheduler.step at t = 999
("ddpm-x0", defaultTs 999). Colour fix: AdaIN (both codes' default).

Run:  python tools/export_checkpoint.py --base sd21-base/ --ckpt tadsr.pkl --out models/tadsr-sd21
Needs: torch, safetensors (diffusers only for the fixture maker).
"""
import argparse
import datetime
import json
import re
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

LORA_KEY = re.compile(r"^(?P<module>.+)\.lora_(?P<ab>[AB])\.(?P<adapter>[^.]+)\.weight$")


def load_config(folder: Path) -> dict:
    return json.loads((folder / "config.json").read_text())


def load_weights(folder: Path) -> dict:
    for name in ("diffusion_pytorch_model.safetensors", "model.safetensors"):
        if (folder / name).exists():
            return {k: v.float() for k, v in load_file(str(folder / name)).items()}
    raise SystemExit(f"export_checkpoint: no diffusion_pytorch_model.safetensors in {folder}")


def unet_spec(c: dict) -> dict:
    n = len(c["block_out_channels"])
    heads = c.get("num_attention_heads") or c.get("attention_head_dim") or 8
    heads = heads if isinstance(heads, list) else [heads] * n
    return {
        "inChannels": c["in_channels"],
        "outChannels": c["out_channels"],
        "blockOutChannels": list(c["block_out_channels"]),
        "layersPerBlock": c["layers_per_block"],
        "downBlockTypes": list(c["down_block_types"]),
        "upBlockTypes": list(c["up_block_types"]),
        "attentionHeads": list(heads),
        "crossAttentionDim": c.get("cross_attention_dim"),
        "useLinearProjection": bool(c.get("use_linear_projection", False)),
        "normNumGroups": c.get("norm_num_groups", 32),
        "normEps": c.get("norm_eps", 1e-5),
        "flipSinToCos": bool(c.get("flip_sin_to_cos", True)),
        "freqShift": c.get("freq_shift", 0),
    }


def vae_spec(c: dict) -> dict:
    return {
        "inChannels": c["in_channels"],
        "outChannels": c["out_channels"],
        "blockOutChannels": list(c["block_out_channels"]),
        "layersPerBlock": c["layers_per_block"],
        "latentChannels": c["latent_channels"],
        "normNumGroups": c.get("norm_num_groups", 32),
        "scalingFactor": c.get("scaling_factor", 0.18215),
        "midBlockAddAttention": bool(c.get("mid_block_add_attention", True)),
    }


TOKENIZER_FILES = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]


def text_spec(c: dict) -> dict:
    """transformers CLIPTextConfig → tadsr's TextEncoderSpec."""
    act = c.get("hidden_act", "quick_gelu")
    if act not in ("gelu", "quick_gelu"):
        raise SystemExit(f"export_checkpoint: text encoder activation {act!r} is not supported (gelu, quick_gelu)")
    return {
        "vocabSize": c["vocab_size"],
        "hiddenSize": c["hidden_size"],
        "intermediateSize": c["intermediate_size"],
        "numHiddenLayers": c["num_hidden_layers"],
        "numAttentionHeads": c["num_attention_heads"],
        "maxPositionEmbeddings": c.get("max_position_embeddings", 77),
        "hiddenAct": act,
        "layerNormEps": c.get("layer_norm_eps", 1e-5),
    }


def export_text(base: Path, out: Path, spec: dict, dtype: torch.dtype) -> int:
    """SD's text_encoder → out/text-encoder.safetensors (names `text_model.…`), tokenizer → out/tokenizer/."""
    cfg = load_config(base / "text_encoder")
    spec["text"] = text_spec(cfg)
    if spec["unet"]["crossAttentionDim"] != spec["text"]["hiddenSize"]:
        raise SystemExit(f"export_checkpoint: text encoder width {spec['text']['hiddenSize']} differs from the UNet's cross_attention_dim {spec['unet']['crossAttentionDim']}")
    weights = {
        (k if k.startswith("text_model.") else f"text_model.{k}"): v
        for k, v in load_weights(base / "text_encoder").items()
        if not k.endswith("position_ids")  # a buffer (arange), not a parameter
    }
    save_file({k: v.to(dtype).contiguous() for k, v in weights.items()}, str(out / "text-encoder.safetensors"), metadata={"format": "pt"})
    tok = out / "tokenizer"
    tok.mkdir(exist_ok=True)
    for i, f in enumerate(TOKENIZER_FILES):
        if (base / "tokenizer" / f).exists():
            shutil.copyfile(base / "tokenizer" / f, tok / f)
        elif i < 2:
            raise SystemExit(f"export_checkpoint: {base / 'tokenizer' / f} is missing")
    return len(weights)


def merge_lora(weights: dict, state: dict, alpha: float, what: str) -> int:
    """Merge every PEFT LoRA pair of `state` into `weights` (in place); returns how many modules were merged."""
    pairs: dict = {}
    for k, v in state.items():
        m = LORA_KEY.match(k)
        if m:
            pairs.setdefault((m["module"], m["adapter"]), {})[m["ab"]] = v.float()
    for (module, adapter), ab in pairs.items():
        if "A" not in ab or "B" not in ab:
            raise SystemExit(f"export_checkpoint: {what} LoRA {module} ({adapter}) lacks lora_{'B' if 'A' in ab else 'A'}")
        key = f"{module}.weight"
        if key not in weights:
            raise SystemExit(f"export_checkpoint: {what} LoRA targets {module}, which the base model does not have")
        a, b = ab["A"], ab["B"]
        rank = a.shape[0]
        w = weights[key]
        delta = (b.reshape(b.shape[0], rank) @ a.reshape(rank, -1)).reshape(w.shape) * (alpha / rank)
        weights[key] = w + delta
    return len(pairs)


def copy_full(weights: dict, state: dict, keep) -> int:
    """Copy fully trained tensors (not LoRA) into `weights`; PEFT's `.base_layer.` infix is dropped."""
    n = 0
    for k, v in state.items():
        if LORA_KEY.match(k) or not keep(k):
            continue
        name = k.replace(".base_layer.", ".")
        weights[name] = v.float()
        n += 1
    return n


def export(base: Path, ckpt: dict, out: Path, kind: str, alpha: float, dtype: torch.dtype, text: bool = True) -> dict:
    unet_cfg = load_config(base / "unet")
    vae_dir = base / "time_vae" if (base / "time_vae").exists() else base / "vae"
    vae_cfg = load_config(vae_dir)
    unet = load_weights(base / "unet")
    vae = load_weights(vae_dir)
    has_time = "state_dict_vae_time" in ckpt
    if kind == "auto":
        kind = "tadsr" if has_time else "osediff"
    report = {"kind": kind}
    report["unet_full"] = copy_full(unet, ckpt.get("state_dict_unet", {}), lambda k: "conv_in" in k)
    report["unet_lora"] = merge_lora(unet, ckpt.get("state_dict_unet", {}), alpha, "UNet")
    report["vae_lora"] = merge_lora(vae, ckpt.get("state_dict_vae", {}), alpha, "VAE")
    spec = {"unet": unet_spec(unet_cfg), "vae": vae_spec(vae_cfg)}
    if has_time:
        report["vae_time"] = copy_full(vae, ckpt["state_dict_vae_time"], lambda k: "time" in k)
        l1 = vae.get("encoder.time_embedding.linear_1.weight")
        if l1 is None:
            raise SystemExit("export_checkpoint: state_dict_vae_time has no encoder.time_embedding.linear_1.weight")
        spec["tae"] = {"timeProjDim": int(l1.shape[1]), "embedDim": int(l1.shape[0]), "flipSinToCos": True, "freqShift": 0, "zeroInitTimeProj": False}
    else:
        vae = {k: v for k, v in vae.items() if "time" not in k}
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(dtype).contiguous() for k, v in unet.items()}, str(out / "unet.safetensors"), metadata={"format": "pt"})
    save_file({k: v.to(dtype).contiguous() for k, v in vae.items()}, str(out / "vae.safetensors"), metadata={"format": "pt"})
    files = {"unet": "unet.safetensors", "vae": "vae.safetensors"}
    has_text = text and (base / "text_encoder" / "config.json").exists() and (base / "tokenizer").is_dir()
    if has_text:
        report["text_tensors"] = export_text(base, out, spec, dtype)
        files.update(textEncoder="text-encoder.safetensors", tokenizer="tokenizer")
    manifest = {
        "format": "tadsr-model",
        "version": 1,
        "spec": spec,
        "formula": "official" if kind == "tadsr" else "ddpm-x0",
        "colorFix": "adain",
        "defaultTs": 500 if kind == "tadsr" else 999,
        "textCondition": "prompt" if has_text else "zeros",
        "provenance": {
            "source": f"tools/export_checkpoint.py ({kind})",
            "base": str(base),
            "loraAlpha": alpha,
            "exportedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "note": "trained with text prompts (RAM tags); conditioned on each image's prompt \"{tags}, {prompt},\" (--tags, --prompt)"
            if has_text else "trained with text prompts (RAM tags); exported without the text encoder, tadsr conditions on a fixed all-zero embedding",
        },
        "files": files,
    }
    (out / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, type=Path)
    p.add_argument("--ckpt", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--kind", choices=["auto", "tadsr", "osediff"], default="auto")
    p.add_argument("--lora-alpha", type=float, default=8.0, help="PEFT lora_alpha the checkpoint was trained with (default 8)")
    p.add_argument("--dtype", choices=["fp32", "fp16"], default="fp32")
    p.add_argument("--no-text", action="store_true", help="do not export the text encoder and tokenizer (zero condition)")
    a = p.parse_args(argv)
    if not a.ckpt.exists():
        print(f"export_checkpoint: checkpoint {a.ckpt} not found", file=sys.stderr)
        return 2
    ckpt = torch.load(str(a.ckpt), map_location="cpu", weights_only=False)
    report = export(a.base, ckpt, a.out, a.kind, a.lora_alpha, torch.float16 if a.dtype == "fp16" else torch.float32, text=not a.no_text)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
