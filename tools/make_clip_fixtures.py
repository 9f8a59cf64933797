"""CLIP fixtures for the prompt path (tokenizer + text encoder), made with Hugging Face `transformers`; no hub download.

  * test/fixtures/clip/tokenizer/      a small CLIP BPE folder (tools/clip_bpe_vocab.py --merges 6000, from OpenCLIP's
                                       bpe_simple_vocab_16e6.txt.gz; SOURCE.json records its sha256)
  * test/fixtures/clip/tokens.json     a few hundred strings (tags, punctuation, unicode, > 77 tokens) and the ids of
                                       `CLIPTokenizer.from_pretrained(folder)(s, max_length=77, padding="max_length",
                                       truncation=True)` — the official `encode_prompt` call
  * test/fixtures/clip/text.*          a random small CLIPTextModel (fp16-rounded weights, SD 2.1's `gelu`), its
                                       spec in tadsr's camelCase form, and input ids → last_hidden_state

Run: ~/venvs/fixtures/bin/python tools/make_clip_fixtures.py [out_dir]   (see tools/requirements-fixtures.txt)
"""
import json
import random
import sys
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/clip")
OUT.mkdir(parents=True, exist_ok=True)

TAGS = [
    "building", "city", "sky", "tree", "car", "road", "person", "man", "woman", "dog", "cat", "bird", "flower",
    "grass", "mountain", "water", "lake", "river", "ocean", "beach", "sand", "cloud", "sunset", "night", "light",
    "window", "door", "wall", "brick", "roof", "tower", "bridge", "street", "sign", "text", "food", "plate", "table",
    "chair", "room", "floor", "wood", "leaf", "branch", "snow", "rock", "stone", "boat", "ship", "harbor", "train",
    "station", "bicycle", "motorcycle", "bus", "truck", "field", "farm", "horse", "cow", "sheep", "fence", "garden",
    "park", "bench", "statue", "church", "temple", "castle", "skyscraper", "apartment", "balcony", "stair", "lamp",
    "close-up", "portrait", "black and white", "red", "blue", "green", "yellow", "orange", "purple", "pink", "white",
    "texture", "pattern", "fabric", "fur", "feather", "butterfly", "insect", "fruit", "vegetable", "wine glass",
]

FIXED = [
    "", " ", "   ", "a", "A", "cat", "Cat", "CAT", "a photo of a cat", "a photo of a cat,",
    "clean, high-resolution, 8k, best quality, masterpiece",
    "dotted, noise, blur, lowres, oversmooth, longbody, bad anatomy, bad hands, missing fingers, extra digit",
    "building, city, sky, tree, car, road, ", "tower, bridge, street, , best quality,",
    "it's", "IT'S", "don't", "we're", "you've", "I'm", "we'll", "he'd", "o'clock", "rock'n'roll", "''", "'s", "'",
    "can't won't shouldn't", "Don’t", "“quoted”", "‘single’",
    "hello,world", "hello , world", "hello... world!!!", "(masterpiece:1.2)", "[tag]", "{a|b}", "a/b\\c", "#hashtag",
    "@user", "e-mail: someone@example.com", "https://example.com/a?b=c&d=e", "C++", "x^2 + y^2 = z^2", "50%", "$100",
    "1", "12", "123", "2024", "3.14159", "1,000,000", "4k", "8K UHD", "1080p", "f/2.8", "1/250s", "ISO 100",
    "tab\tseparated", "new\nline", "carriage\r\nreturn", "multiple     spaces", "  leading and trailing  ",
    "non\u00a0breaking\u00a0space", "em\u2003space", "zero\u200bwidth",
    "café", "cafe\u0301", "naïve résumé", "Ångström", "straße", "STRASSE", "Æsir", "œuvre", "ﬁne ligature",
    "Ωμέγα", "ΟΔΟΣ", "σοφία", "Москва", "Привет мир", "مرحبا بالعالم", "שלום", "नमस्ते", "สวัสดี", "안녕하세요",
    "こんにちは", "カタカナ", "東京タワー", "北京", "猫", "我爱北京天安门", "ｆｕｌｌｗｉｄｔｈ", "１２３",
    "emoji 😀", "🐱🐶", "👍🏽", "🇫🇷", "❤️", "★☆", "→ ← ↑ ↓", "©®™", "°C", "µm", "½ ¼", "ⅷ", "²³",
    "İstanbul", "ǅ", "ẞ", "ß", "ﬀ", "Ǆemal",
    "<|startoftext|>", "<|endoftext|>", "a <|endoftext|> b", "<|startoftext|>cat<|endoftext|>", "<|ENDOFTEXT|>",
    "<|endoftext", "|>", "<>", "<<>>",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababab", "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis", "xyzzy qwerty asdf", "lorem ipsum dolor sit amet",
]


def generated(rng: random.Random) -> list:
    out = []
    for _ in range(140):  # RAM-like tag lists, as `"{tags}, {prompt},"`
        tags = rng.sample(TAGS, rng.randint(1, 12))
        sep = rng.choice([", ", " | ", ","])
        prompt = rng.choice(["", "clean, high-resolution, 8k", "a photo", "best quality"])
        out.append(f"{sep.join(tags)}, {prompt},")
    for _ in range(40):  # long: more than 75 tokens (truncated)
        out.append(", ".join(rng.choices(TAGS, k=rng.randint(30, 80))))
    alphabet = "abcXYZ019 ,.;:!?'\"-_()[]{}<>|/\\@#$%^&*~`+=éüñçøåßæœΩπЖж中文日本語한국어😀\t\n"
    for _ in range(60):  # random character soup
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    return out


def tokenizer_fixture() -> None:
    folder = OUT / "tokenizer"
    tok = CLIPTokenizer.from_pretrained(str(folder))
    strings = FIXED + generated(random.Random(14))
    rows = [{"text": s, "ids": tok(s, max_length=77, padding="max_length", truncation=True).input_ids} for s in strings]
    meta = {
        "made_by": "tools/make_clip_fixtures.py",
        "transformers": transformers.__version__,
        "tokenizer_class": type(tok).__name__,
        "call": 'tokenizer(text, max_length=77, padding="max_length", truncation=True).input_ids',
    }
    (OUT / "tokens.json").write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    truncated = sum(1 for r in rows if r["ids"][-1] not in (tok.pad_token_id,))
    print(f"tokens.json: {len(rows)} strings, {truncated} filling all 77 positions, {type(tok).__name__}")


TEXT_CFG = dict(
    vocab_size=6514, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
    max_position_embeddings=77, hidden_act="gelu", layer_norm_eps=1e-5, projection_dim=16,
    bos_token_id=6512, eos_token_id=6513, pad_token_id=0,
)


def text_fixture() -> None:
    torch.manual_seed(14)
    model = CLIPTextModel(CLIPTextConfig(**TEXT_CFG)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layer_norm" in name:
                p.copy_(1.0 + 0.2 * torch.randn_like(p) if name.endswith("weight") else 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif "embedding" in name:
                p.copy_(0.5 * torch.randn_like(p))
            p.copy_(p.half().float())
    # Names as SD 2.1's text_encoder/model.safetensors holds them (`text_model.…`; transformers 5 drops the prefix).
    state = {
        (k if k.startswith("text_model.") else f"text_model.{k}"): v.half().contiguous()
        for k, v in model.state_dict().items() if not k.endswith("position_ids")
    }
    save_file(state, str(OUT / "text.safetensors"))
    spec = dict(
        vocabSize=TEXT_CFG["vocab_size"], hiddenSize=32, intermediateSize=64, numHiddenLayers=3, numAttentionHeads=4,
        maxPositionEmbeddings=77, hiddenAct="gelu", layerNormEps=1e-5,
    )
    (OUT / "text.spec.json").write_text(json.dumps(spec, indent=1) + "\n")
    tok = CLIPTokenizer.from_pretrained(str(OUT / "tokenizer"))
    prompts = ["", "building, city, sky, tree, car, clean, high-resolution, 8k,"]
    ids = torch.tensor([tok(p, max_length=77, padding="max_length", truncation=True).input_ids for p in prompts])
    with torch.no_grad():
        out = model(input_ids=ids).last_hidden_state
    save_file({"input_ids": ids.float().contiguous(), "last_hidden_state": out.float().contiguous()}, str(OUT / "text_io.safetensors"))
    (OUT / "text_prompts.json").write_text(json.dumps(prompts) + "\n")
    print(f"text: {sum(p.numel() for p in model.parameters())} params, out {tuple(out.shape)}")


if __name__ == "__main__":
    tokenizer_fixture()
    text_fixture()
