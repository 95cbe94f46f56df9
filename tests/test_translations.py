"""The Russian edition is built from the English and cannot drift from it: `translations check`
passes on the repository as committed, and fails, naming the cell, on each kind of drift."""
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO

from dlcourse.notebook import translations as tr

LANG = "ru"
LECTURE = REPO / "notebooks" / "01_saturation.ipynb"


def check(root):
    """`python -m dlcourse translations check` in `root`: (exit code, what it printed)."""
    done = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), "translations", "check"],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_the_committed_edition_is_complete_and_in_step_with_the_english():
    code, out = check(REPO)
    assert code == 0, out[-3000:]
    assert len(tr.english_notebooks(REPO)) == 16  # seven assignments and nine lectures


def test_a_built_notebook_differs_from_the_english_only_in_its_prose():
    for english in tr.english_notebooks(REPO):
        built = json.loads(tr.edition_path(REPO, LANG, english).read_text())
        nbformat.validate(nbformat.from_dict(built))
        source = json.loads(english.read_text())
        assert tr.without_prose(built) == tr.without_prose(source)
        assert built["metadata"]["language"] == LANG
        changed = [a for a, b in zip(tr.prose_cells(built), tr.prose_cells(source)) if a["source"] != b["source"]]
        assert len(changed) == len(tr.prose_cells(source)), f"{english.name}: every markdown cell is in Russian"


@pytest.fixture
def course(tmp_path):
    """A copy of one lecture, its catalog and its built notebook, where drift can be planted."""
    for path in (LECTURE, tr.catalog_path(REPO, LANG, LECTURE), tr.edition_path(REPO, LANG, LECTURE)):
        target = tmp_path / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    assert check(tmp_path)[0] == 0
    return tmp_path


def edit_english(root, index, change):
    path = root / LECTURE.relative_to(REPO)
    nb = json.loads(path.read_text())
    cell = tr.prose_cells(nb)[index]
    cell["source"] = change(tr.text_of(cell))
    path.write_text(json.dumps(nb, indent=1))
    return cell["id"]


def edit_catalog(root, change):
    path = tr.catalog_path(root, LANG, root / LECTURE.relative_to(REPO))
    path.write_text(change(path.read_text()))


def test_a_changed_english_cell_is_named_until_its_translation_is_updated(course):
    cid = edit_english(course, 1, lambda t: t + "\nOne more English sentence.")
    code, out = check(course)
    assert code == 1 and f"cell {cid}: the English changed after this translation" in out


def test_a_new_english_cell_is_named_as_not_translated(course):
    path = course / LECTURE.relative_to(REPO)
    nb = json.loads(path.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "new-cell", "metadata": {}, "source": "A new paragraph."})
    path.write_text(json.dumps(nb, indent=1))
    code, out = check(course)
    assert code == 1 and "cell new-cell: not translated" in out


@pytest.mark.parametrize("change, reason", [
    (lambda t: t.replace("$z = 3$", "$z = 4$", 1), "formulas differ from the English"),
    (lambda t: t.replace("2.5e-05", "2.6e-05", 1), "numbers differ from the English"),
])
def test_a_translation_whose_formulas_or_numbers_differ_is_named(course, change, reason):
    before = tr.catalog_path(course, LANG, course / LECTURE.relative_to(REPO)).read_text()
    edit_catalog(course, change)
    assert tr.catalog_path(course, LANG, course / LECTURE.relative_to(REPO)).read_text() != before
    code, out = check(course)
    assert code == 1 and reason in out


def test_a_built_notebook_with_other_code_or_an_old_catalog_fails(course):
    built = course / tr.edition_path(REPO, LANG, LECTURE).relative_to(REPO)
    original = built.read_text()
    nb = json.loads(original)
    code_cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code_cell["source"] = "demo = None\n"
    built.write_text(tr.dumps(nb))
    code, out = check(course)
    assert code == 1 and "code, metadata or cells differ from the English" in out
    built.write_text(original)
    edit_catalog(course, lambda t: t.replace("\n\n<!-- cell", "\nЕщё одно предложение.\n\n<!-- cell", 1))
    code, out = check(course)
    assert code == 1 and "older than its catalog" in out


@pytest.mark.parametrize("english", sorted(REPO.glob("source/*/*.ipynb")), ids=lambda p: p.parent.name)
def test_a_translated_statement_states_the_same_rules_as_the_english(english):
    """The grader reads a task's rules from its statement (notebook/tasks.py): a Russian class must get the
    English class's rules, task by task."""
    from dlcourse.notebook import tasks
    en = tasks.tasks(json.loads(english.read_text()))
    ru = tasks.tasks(json.loads(tr.edition_path(REPO, LANG, english).read_text()))
    assert [(t.grade_id, t.groups, t.tests) for t in ru] == [(t.grade_id, t.groups, t.tests) for t in en]
    assert any(t.groups for t in en) or english.parent.name not in {"01_tensors", "02_backprop"}


# ---- the messages: what the checks, demos and grading say --------------------------------------

def test_a_new_message_in_a_test_cell_is_named_until_it_is_translated(tmp_path):
    from dlcourse.notebook import messages
    english = REPO / "source" / "01_tensors" / "01_tensors.ipynb"
    nb = json.loads(english.read_text())
    test = next(c for c in nb["cells"] if c["cell_type"] == "code" and "passed(" in tr.text_of(c))
    test["source"] = tr.text_of(test) + '\nfail("x", f"the value {x} is one nobody has translated")\n'
    (tmp_path / "source" / "01_tensors").mkdir(parents=True)
    (tmp_path / "source" / "01_tensors" / "01_tensors.ipynb").write_text(json.dumps(nb))
    found = messages.problems(tmp_path, LANG)
    assert "dlcourse/locale/ru/01_tensors.po: 'the value {0} is one nobody has translated': not translated" in found
    assert len([p for p in found if "01_tensors.po" in p]) == 1, found


def test_a_translation_with_other_placeholders_or_a_gone_message_is_named(tmp_path):
    from babel.messages.pofile import read_po, write_po

    from dlcourse.i18n import LOCALE
    from dlcourse.notebook import messages
    locale = tmp_path / "dlcourse" / "locale"
    shutil.copytree(LOCALE, locale)
    with open(locale / LANG / "checks.po", "rb") as file:
        catalog = read_po(file, locale=LANG)
    shape = catalog["expected shape {0}, found shape {1}"]
    shape.string = shape.string.replace("{1}", "")
    catalog.add("a message the code no longer says", "сообщение, которого больше нет")
    with open(locale / LANG / "checks.po", "wb") as file:
        write_po(file, catalog, width=0, no_location=True)
    found = messages.problems(REPO, LANG, locale=locale)
    assert found == ["dlcourse/locale/ru/checks.po: 'a message the code no longer says': not in the English code any more",
                     "dlcourse/locale/ru/checks.po: 'expected shape {0}, found shape {1}': "
                     "the translation's placeholders differ from the English"], found


def test_one_message_translated_two_ways_in_two_catalogs_is_named(tmp_path):
    """The kernel merges the catalogs (the first translation of a message wins): two translations of one
    English message would make one of them unreachable."""
    from babel.messages.pofile import read_po, write_po

    from dlcourse.i18n import LOCALE
    from dlcourse.notebook import messages
    locale = tmp_path / "dlcourse" / "locale"
    shutil.copytree(LOCALE, locale)
    with open(locale / LANG / "checks.po", "rb") as file:
        checks = read_po(file, locale=LANG)
    shared = next(m for m in checks if m.id and isinstance(m.id, str) and m.string)
    with open(locale / LANG / "grading.po", "rb") as file:
        grading = read_po(file, locale=LANG)
    assert shared.id not in grading
    grading.add(shared.id, shared.string + " (иначе)")
    with open(locale / LANG / "grading.po", "wb") as file:
        write_po(file, grading, width=0, no_location=True)
    found = messages.problems(REPO, LANG, locale=locale)
    assert found == [f"dlcourse/locale/ru/grading.po: {shared.id!r}: not in the English code any more",
                     f"dlcourse/locale/ru/checks.po, dlcourse/locale/ru/grading.po: {shared.id!r}: translated "
                     "differently (a kernel reads them as one catalog, where the first would win): use one "
                     "translation"], found
