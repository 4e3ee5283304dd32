"""What people read comes from the catalogs, never from Python (issue 13, point 5).

Two things this catches in `bot/` and `rituals/`: a dict with texts per language
(`{"nl": ..., "en": ...}`, the old form), and a sentence written straight into something
people see (a message, a form, a button, a reply). Keys (`"forget_confirm"`), ids and what
the bot tells operators on the command line, in the doctor and in logs stay in code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEN_BY_PEOPLE = {"text", "say", "reply", "post", "dm", "ephemeral", "confirm", "update", "FormResult", "Form",
                  "FormField", "Choice", "Button", "button", "core_button", "command_button", "Bold", "send_dm"}
"""Calls whose arguments people read (the message builders, the context's and platforms' senders)."""
OPERATORS = {"demo.py", "cli.py", "doctor.py", "startup.py"}
"""Modules that speak to whoever runs the bot, in English, on the command line."""
SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _modules() -> list[Path]:
    paths = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "rituals").rglob("*.py")]
    return sorted(p for p in paths if p.name not in OPERATORS and "store" not in p.relative_to(ROOT).parts)


def _written(node: ast.expr) -> str:
    """The text written into an argument: a literal, an f-string's fixed parts, a `+` of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _written(node.left) + " " + _written(node.right)
    if isinstance(node, (ast.Tuple, ast.List)):
        return " ".join(_written(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return " ".join(_written(v) for v in node.values)
    return ""


def loose_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) for each per-language dict and each sentence passed to what people see."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"nl", "en"} <= keys:
                found.append((node.lineno, "a dict of texts per language"))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in SEEN_BY_PEOPLE:
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    written = _written(argument)
                    if SENTENCE.search(written):
                        found.append((node.lineno, written))
    return found


def test_no_text_people_read_is_written_in_python() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: {said!r}" for path in _modules()
             for line, said in loose_texts(path.read_text(encoding="utf-8"))]
    assert found == [], "texts outside the catalogs (docs/translating.md):\n" + "\n".join(found)


def test_the_check_sees_the_forms_it_is_about() -> None:
    source = '''
TITLE = {"nl": "Hallo", "en": "Hello"}
async def handler(ctx, who):
    await ctx.reply(text(f"Dank je, {who}!"))
    await ctx.post(text(ctx.team_t("ask"), buttons=(button(ctx.open, "Vul in", "v"),)))
    return FormResult({"mood": "Te " + "lang"})
'''
    assert sorted(line for line, _ in loose_texts(source)) == [2, 4, 5, 6]
    assert loose_texts('await ctx.reply(text(ctx.user_t("thanks")))\ncore_button(t, "forget_confirm", label)\n') == []
