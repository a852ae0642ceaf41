"""The English switch stays complete: every string marked for translation has an English
translation in locale/en, and none is empty or fuzzy."""

import re
from pathlib import Path

import fupin

SRC = Path(fupin.__file__).parent
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"


def po_entries() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block:
            entries.setdefault("__fuzzy__", []).append(block)
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not m:
            continue
        msgid = "".join(re.findall(r'"(.*)"', m.group(1)))
        strs = [
            "".join(re.findall(r'"(.*)"', s))
            for s in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        ]
        entries[msgid] = strs
    return entries


def marked_strings() -> set[str]:
    found: set[str] = set()
    for path in list(SRC.rglob("*.html")) + list(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'{%\s*translate\s+"([^"]+)"', text))
        found.update(re.findall(r"{%\s*translate\s+'([^']+)'", text))
        for body in re.findall(
            r"{%\s*blocktranslate[^%]*%}(.*?){%\s*(?:plural|endblocktranslate)\s*%}", text, re.S
        ):
            found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body))
        if path.suffix == ".py":
            found.update(re.findall(r'\b_\("([^"]+)"\)', text))
    return found


def test_no_empty_or_fuzzy_translation():
    entries = po_entries()
    assert "__fuzzy__" not in entries
    empty = [k for k, v in entries.items() if k and (not v or any(s == "" for s in v))]
    assert empty == []


def test_every_marked_string_is_translated():
    entries = po_entries()
    marked = marked_strings()
    assert len(marked) > 40
    ids = {k.replace("%%", "%") for k in entries}  # makemessages writes a literal % as %% in the msgid
    assert sorted(marked - ids) == []
