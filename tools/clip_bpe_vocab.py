"""Make an SD 2.1-style CLIP tokenizer folder (vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json)
from OpenCLIP's `bpe_simple_vocab_16e6.txt.gz` — the BPE SD 2.1's tokenizer was made from (OpenAI CLIP's BPE, shipped
in the `open_clip_torch` wheel on PyPI). No hub download.

The vocabulary is built exactly as CLIP's `SimpleTokenizer` builds it (and as Hugging Face's `openai/clip-*` and
SD 2.x `tokenizer/` folders hold it): the 256 byte symbols, the same with `</w>`, one token per merge in merge order,
then `<|startoftext|>`, `<|endoftext|>`. With all 48,894 merges that is SD 2.1's 49,408-token vocabulary;
`--merges N` keeps only the first N merges (a small, still valid BPE — the committed test fixture). SD 2.x pads with
"!" (id 0), as OpenCLIP does; SD 1.x (OpenAI CLIP) pads with `<|endoftext|>` (`--pad eot`).

The source file's sha256 is recorded in `SOURCE.json` beside the output.

Run:
  pip download open_clip_torch==3.3.0 --no-deps -d /tmp/oc && unzip -o /tmp/oc/*.whl 'open_clip/bpe_simple_vocab_16e6.txt.gz' -d /tmp/oc
  python tools/clip_bpe_vocab.py /tmp/oc/open_clip/bpe_simple_vocab_16e6.txt.gz OUT_DIR [--merges N] [--pad bang|eot]
"""
import argparse
import gzip
import hashlib
import json
from pathlib import Path

# CLIP's SimpleTokenizer uses merges[1 : 49152 - 256 - 2 + 1] (line 0 is a header).
FULL_MERGES = 49152 - 256 - 2


def bytes_to_unicode() -> dict:
    """GPT-2 / CLIP byte → printable unicode symbol map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--merges", type=int, default=FULL_MERGES)
    ap.add_argument("--pad", choices=["bang", "eot"], default="bang")
    a = ap.parse_args()
    raw = Path(a.source).read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1 : 1 + min(a.merges, FULL_MERGES)]]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8")
    (out / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n", encoding="utf-8")
    pad = "!" if a.pad == "bang" else "<|endoftext|>"
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": pad, "unk_token": "<|endoftext|>"}
    (out / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n")
    config = {
        "add_prefix_space": False, "do_lower_case": True, "errors": "replace", "model_max_length": 77,
        "tokenizer_class": "CLIPTokenizer", **special,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "SOURCE.json").write_text(json.dumps({
        "source": "open_clip_torch 3.3.0: open_clip/bpe_simple_vocab_16e6.txt.gz (OpenAI CLIP BPE, MIT licence)",
        "sha256": hashlib.sha256(raw).hexdigest(), "merges": len(merges), "vocab_size": len(vocab), "pad_token": pad,
    }, indent=2) + "\n")
    print(f"{out}: {len(vocab)} tokens, {len(merges)} merges, pad {pad!r}")


if __name__ == "__main__":
    main()
