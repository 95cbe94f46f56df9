"""Editions of the course in other languages, built from the English notebooks so they cannot drift.

The English notebooks (``source/`` and ``notebooks/``) are the truth. A language's catalog of one
notebook, ``translations/<lang>/<folder>/<name>.md``, holds the translation of each markdown cell,
headed by the cell's id and the hash of the English text it translates::

    <!-- cell 3f2a9c1d · en 9c1d2e3f4a5b -->
    Translated markdown of that cell.

A translated notebook is the English one with only those cells' text replaced: code, tests, grade
ids, points and metadata are the English ones. `problems` names every cell whose English changed
after its translation, every cell not translated yet, and every translation whose formulas or
numbers differ from the English. Standard library only (gpu-check's bare machines read notebooks).
"""
import copy
import hashlib
import json
import re
from pathlib import Path

FOLDERS = ("source", "notebooks")  # the English notebooks an edition translates
HEADER = re.compile(r"^<!-- cell (?P<id>\S+) · en (?P<hash>[0-9a-f]{12}) -->$", re.M)
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.S)  # inline math may run onto the next line
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?(?![\w])")
CODE = re.compile(r"`[^`\n]+`")
MARKERS = re.compile(r"^.*(?:BEGIN|END) (?:SOLUTION|HIDDEN TESTS).*$", re.M)  # nbgrader's, kept as they are


def english_hash(text):
    """The first 12 hex digits of the SHA-256 of an English cell's text."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def text_of(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def english_notebooks(repo):
    """Every English notebook an edition translates, in a fixed order."""
    repo = Path(repo)
    return sorted(repo.glob("source/*/*.ipynb")) + sorted(repo.glob("notebooks/*.ipynb"))


def catalog_path(repo, lang, notebook):
    """translations/<lang>/source/01_tensors.md for source/01_tensors/01_tensors.ipynb, and so on."""
    rel = Path(notebook).relative_to(repo)
    return Path(repo) / "translations" / lang / rel.parts[0] / f"{rel.stem}.md"


def edition_path(repo, lang, notebook):
    """Where the built notebook goes: <lang>/source/01_tensors/01_tensors.ipynb, <lang>/notebooks/…"""
    return Path(repo) / lang / Path(notebook).relative_to(repo)


def read_catalog(path):
    """{cell id: (English hash, translated text)} of a catalog file ({} if there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    heads = list(HEADER.finditer(text))
    return {m["id"]: (m["hash"], text[m.end():heads[i + 1].start() if i + 1 < len(heads) else len(text)].strip("\n"))
            for i, m in enumerate(heads)}


def write_catalog(path, entries):
    """Write [(cell id, English hash, text)] in notebook order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(f"<!-- cell {cid} · en {h} -->\n{t.strip(chr(10))}" for cid, h, t in entries) + "\n",
                    encoding="utf-8")


def prose_cells(nb):
    """The markdown cells of a notebook (JSON), which an edition translates."""
    return [c for c in nb["cells"] if c["cell_type"] == "markdown"]


def update_catalog(repo, lang, notebook):
    """Bring a catalog in line with its English notebook: a new cell gets its English text to
    translate, a removed one goes; translations stay (with their old hash when the English changed).
    Returns the number of cells still to translate."""
    nb = json.loads(Path(notebook).read_text())
    path = catalog_path(repo, lang, notebook)
    old = read_catalog(path)
    entries = [(c["id"], *old.get(c["id"], (english_hash(text_of(c)), text_of(c)))) for c in prose_cells(nb)]
    write_catalog(path, entries)
    return sum(1 for cid, h, t in entries if untranslated(t, nb, cid))


def untranslated(text, nb, cid):
    english = next(text_of(c) for c in nb["cells"] if c.get("id") == cid)
    return text.strip() == english.strip() and re.search(r"[A-Za-z]{3}", english) is not None


def masked(text):
    """Text without formulas and inline code (their numbers are compared as formulas)."""
    return CODE.sub(" ", MATH.sub(" ", text))


def numbers(text):
    return sorted(n.replace("−", "-").replace(",", ".") for n in NUMBER.findall(masked(text)))


def cell_problems(english, translated, stale):
    """What is wrong with one cell's translation (a list of short reasons)."""
    found = []
    if stale:
        found.append("the English changed after this translation")
    if sorted(MATH.findall(english)) != sorted(MATH.findall(translated)):
        found.append("formulas differ from the English")
    if sorted(CODE.findall(english)) != sorted(CODE.findall(translated)):
        found.append("inline code differs from the English")
    if MARKERS.findall(english) != MARKERS.findall(translated):
        found.append("nbgrader's BEGIN/END markers differ from the English")
    if numbers(english) != numbers(translated):
        found.append(f"numbers differ from the English ({numbers(english)} vs {numbers(translated)})")
    return found


def notebook_problems(repo, lang, notebook):
    """["<catalog>: cell <id>: <reason>", …] for one English notebook."""
    nb = json.loads(Path(notebook).read_text())
    path = catalog_path(repo, lang, notebook)
    catalog, where = read_catalog(path), path.relative_to(repo)
    cells = prose_cells(nb)
    problems = [f"{where}: cell {cid}: not in the English notebook any more"
                for cid in catalog if cid not in {c["id"] for c in cells}]
    for cell in cells:
        english, entry = text_of(cell), catalog.get(cell["id"])
        if entry is None or untranslated(entry[1], nb, cell["id"]):
            problems.append(f"{where}: cell {cell['id']}: not translated")
            continue
        stale = entry[0] != english_hash(english)
        problems += [f"{where}: cell {cell['id']}: {r}" for r in cell_problems(english, entry[1], stale)]
    return problems


def build(repo, lang, notebook):
    """The translated notebook (JSON): the English one with its markdown cells' text replaced."""
    nb = json.loads(Path(notebook).read_text())
    catalog = read_catalog(catalog_path(repo, lang, notebook))
    built = copy.deepcopy(nb)
    for cell in prose_cells(built):
        if cell["id"] in catalog:
            cell["source"] = catalog[cell["id"]][1].splitlines(keepends=True)
    built["metadata"]["language"] = lang  # the checks and widgets read it (dlcourse.language)
    return built


def without_prose(nb):
    """A notebook with its markdown text blanked and its language dropped: what must equal the English."""
    bare = copy.deepcopy(nb)
    for cell in prose_cells(bare):
        cell["source"] = ""
    bare["metadata"].pop("language", None)
    return bare


def dumps(nb):
    """A notebook as nbformat writes it (one space indent, a newline at the end)."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def edition_problems(repo, lang, notebook):
    """Problems of the built notebook on disk: missing, out of date, or code/metadata unlike the English."""
    path = edition_path(repo, lang, notebook)
    where = path.relative_to(repo)
    if not path.exists():
        return [f"{where}: not built (python -m dlcourse translations build {lang})"]
    built = json.loads(path.read_text())
    english = json.loads(Path(notebook).read_text())
    if without_prose(built) != without_prose(english):
        return [f"{where}: its code, metadata or cells differ from the English (build it again)"]
    if dumps(built) != dumps(build(repo, lang, notebook)):
        return [f"{where}: older than its catalog (python -m dlcourse translations build {lang})"]
    return []
