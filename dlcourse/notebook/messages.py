"""The message catalogs of an edition: what the checks, demos and grading say, in gettext's form.

`extract` reads the English messages from the code: the test cells of every assignment and the
modules of dlcourse. A message is a string (or f-string) given to ``fail``, ``passed``,
``CheckError``, a rule's ``note``, ``translate`` or ``marked``; an f-string becomes a template whose values are ``{0}``, ``{1}``…
(``f"expected {want}, found {got}"`` → ``expected {0}, found {1}``); ``ngettext(singular, plural,
n)`` gives an entry with plural forms. Each source has its catalog,
``dlcourse/locale/<lang>/<source>.po``: ``update`` adds new messages and drops gone ones keeping
every translation, ``problems`` names what is untranslated, stale or has other placeholders.
"""
import ast
import json
import re
from pathlib import Path

from ..i18n import LOCALE
from . import cells, names

CALLS = {"fail": (0, 1), "passed": (0, 1), "CheckError": (0,), "translate": (0,), "marked": (0,), "note": (0,),
         "forbid": (1,)}
LABELS = {"label", "_label"}  # variables that name what a test cell checks
TASK = re.compile(r"^Task \d+(?:\.\d+)*$")  # "Task 1.2" is one message: "Task {0}"
HEADER = ("# What dlcourse says, translated: a test cell's messages, the checks', the demos', grading's.\n"
          "# python -m dlcourse translations update adds new English messages; check fails on any left empty.")
NAMED = re.compile(r"\{(\w+)\}")
RUNTIME = ("checks.py", "rules.py", "properties.py", "plots.py")


def sources(repo):
    """{catalog name: [(file, Python code)]}: each assignment's test cells, the runtime, the demos, grading."""
    repo, package = Path(repo), LOCALE.parent  # the notebooks of `repo`, the code of this dlcourse
    found = {}
    for nb in sorted(repo.glob("source/*/*.ipynb")):
        code = [cells.to_python(cells.source(c)) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
        found[nb.stem] = [(nb, "\n\n".join(code))]
    found["checks"] = [(package / name, (package / name).read_text()) for name in RUNTIME]
    for group in ("lectures", "grading"):
        found[group] = [(p, p.read_text()) for p in sorted((package / group).glob("*.py"))]
    found["grading"].append((package / "__main__.py", (package / "__main__.py").read_text()))  # grade, feedback…
    return found


def template(node):
    """The msgid of a string or f-string node (None for anything else, or for text without words)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        parts, index = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            else:
                parts.append(f"{{{index}}}")
                index += 1
        text = "".join(parts)
    else:
        return None
    words = re.sub(r"\{\d+\}", "", text)
    # a template needs a word of its own ("{0} of {1}" would match too much); a plain text one of two letters
    return text if re.search(r"[A-Za-z]{3}" if words != text else r"[A-Za-z]{2}", words) else None


def _strings(node):
    """Every message a node may be: both sides of `a if c else b`, the node itself otherwise."""
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return [node]


def messages(code):
    """[(msgid, msgid_plural or None)] of a piece of code, in order, each once."""
    found = []
    for node in ast.walk(names.parse(code)):
        targets = {getattr(t, "id", "").lower() for t in node.targets} if isinstance(node, ast.Assign) else set()
        if "_rule" in targets and isinstance(node.value, ast.Tuple):  # (task, rule, groups)
            found += [(t, None) for t in map(template, node.value.elts[:2]) if t]
        if targets & LABELS:  # what a check is about: label = f"inverted_dropout(x, {p!r}) for x of shape {shape}"
            found += [(t, None) for t in map(template, _strings(node.value)) if t]
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name == "ngettext" and len(node.args) >= 2:
            singular, plural = (template(a) for a in node.args[:2])
            if singular and plural:
                found.append((singular, plural))
        for i in CALLS.get(name, ()):
            if i < len(node.args):
                found += [(t, None) for t in map(template, _strings(node.args[i])) if t]
    return list(dict.fromkeys((TASK.sub("Task {0}", s), p) for s, p in found))


def extract(repo):
    """{catalog name: [(msgid, msgid_plural or None)]} for the whole course."""
    return {name: list(dict.fromkeys(m for _, code in files for m in messages(code)))
            for name, files in sources(repo).items()}


def catalog_file(lang, name, locale=LOCALE):
    return Path(locale) / lang / f"{name}.po"


def read(lang, name, locale=LOCALE):
    """The Babel catalog of one source (an empty one when the file does not exist)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po
    path = catalog_file(lang, name, locale)
    if not path.exists():
        return Catalog(locale=lang)
    with open(path, "rb") as file:
        return read_po(file, locale=lang)


def update(lang, name, entries):
    """Write the catalog of one source with `entries` in order, keeping every translation that still
    has its English. Returns the number of messages left to translate."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po
    old = read(lang, name)
    new = Catalog(locale=lang, project="dlcourse", domain=name, fuzzy=False, header_comment=HEADER,
                  creation_date=old.creation_date, revision_date=old.revision_date)
    for singular, plural in entries:
        key = (singular, plural) if plural else singular
        before = old.get(singular)
        string = before.string if before is not None and before.id == key else (("",) * new.num_plurals if plural else "")
        new.add(key, string, flags=["python-brace-format"] if "{" in singular else [])
    path = catalog_file(lang, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        write_po(file, new, width=0, omit_header=False, no_location=True)
    return sum(1 for m in new if m.id and not _translated(m))


def _translated(message):
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def _placeholders(text):
    return set(NAMED.findall(text))


def problems(repo, lang, locale=LOCALE):
    """["dlcourse/locale/ru/01_tensors.po: <msgid>: <reason>", …]: missing, stale, untranslated, mismatched,
    or translated differently in two catalogs (the runtime merges them into one, so the first would win)."""
    out, translations = [], {}
    for name, entries in extract(repo).items():
        path = catalog_file(lang, name, locale)
        catalog, where = read(lang, name, locale), path.relative_to(Path(locale).parent.parent)
        wanted = {(s, p) for s, p in entries}
        have = {(m.id[0], m.id[1]) if isinstance(m.id, tuple) else (m.id, None): m for m in catalog if m.id}
        for key, message in have.items():
            if _translated(message):
                translations.setdefault(key, {})[str(where)] = message.string
        out += [f"{where}: {s!r}: not in the English code any more" for s, p in have if (s, p) not in wanted]
        for key in entries:
            message = have.get(key)
            if message is None or not _translated(message):
                out.append(f"{where}: {key[0]!r}: not translated")
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if any(_placeholders(s) != _placeholders(key[1] or key[0]) for s in strings):
                out.append(f"{where}: {key[0]!r}: the translation's placeholders differ from the English")
    for key, by_file in translations.items():
        if len(set(by_file.values())) > 1:
            out.append(f"{', '.join(by_file)}: {key[0]!r}: translated differently (a kernel reads them as one "
                       "catalog, where the first would win): use one translation")
    return out
