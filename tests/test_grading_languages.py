"""Grading speaks the class's language to the TA and each notebook's language to its student.

A Russian class (a course folder made from ru/source, course.toml saying ``language = "ru"``) is
graded by the real command line, real nbgrader and real kernels: the grade table, the hints under it,
the integrity reports, the summary and the feedback pages are Russian, with the plural forms a number
asks for; ``--lang en`` turns the TA's side back to English. The English pages and tables are what they
always were (tests/test_deadlines.py, test_feedback.py, test_pipeline.py and test_reports.py hold them).
"""
import csv
import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from traitlets.config import Config

from dlcourse.grading import deadlines, feedback, pipeline, reports, unit
from dlcourse.grading.deadlines import ScheduleError
from dlcourse.notebook import cells, messages
from dlcourse.notebook import variants as made_up

AID = "01_tensors"
DUE = datetime.datetime(2027, 2, 22, 22, 59, tzinfo=datetime.timezone.utc)  # 23:59 in Berlin
COURSE = f"""language = "ru"

[deadlines]
{AID} = "2027-02-22T23:59:00+01:00"

[late_penalty]
policy = "per_day"
per_day = 0.1
cap = 0.5
"""
CYRILLIC = re.compile("[А-Яа-яЁё]")
ENGLISH_LABELS = ("Score:", "(Top)", "Student's answer", "Your assignments so far", "awaiting a TA",
                  "Late submission penalty", "Submitted ", "all checks passed", "hidden tests: run at grading time")


def _run(root, *args):
    return subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=900)


def _stamp(when):
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")  # nbgrader's timestamp.txt


@pytest.fixture(scope="module")
def ru_class(tmp_path_factory):
    """The Russian 01_tensors graded by `python -m dlcourse grade`: ada on time, ben a day late with a locked
    cell edited, eli a notebook that is not JSON. (root, what the command printed)."""
    root = tmp_path_factory.mktemp("ru-class")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "ru" / "source" / AID, root / "source" / AID)
    (root / "course.toml").write_text(COURSE)
    pipeline.generate(pipeline.course_api(root), [AID])
    pipeline.submit_variant(root, AID, "ada", "reference")
    (root / "submitted" / "ada" / AID / "timestamp.txt").write_text(_stamp(DUE - datetime.timedelta(hours=1)))
    folder = pipeline.submit_variant(root, AID, "ben", "reference")
    (folder / "timestamp.txt").write_text(_stamp(DUE + datetime.timedelta(hours=20)))
    path = folder / f"{AID}.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.language == "ru"
    locked = next(c for c in nb.cells if cells.is_test(c))
    locked.source += "\n# the student was here"
    nbformat.write(nb, path)
    names = [p.name for p in (root / "release" / AID).glob("*.ipynb")]
    made_up.write_submission(root, "eli", AID, {n: '{"cells": [' for n in names})
    run = _run(root, "grade", AID)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    return root, run.stdout, locked.metadata.nbgrader.grade_id


def test_the_grade_table_and_its_hints_are_russian(ru_class):
    _, out, edited = ru_class
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("студент"))
    assert lines[head].split() == ["студент", AID, "устройство"], out
    rows = {line.split()[0]: line for line in lines[head + 2:head + 5]}
    assert set(rows) == {"ada", "ben", "eli"}, out
    assert re.search(r"[\d.]+/[\d.]+ \([\d.]+ на ручной проверке\)", rows["ada"]), rows["ada"]
    assert "(опоздание -" in rows["ben"] and "НЕ ПРОВЕРЕНО" in rows["eli"]
    assert any(line.startswith(f"НЕ ПРОВЕРЕНО eli · {AID}: {AID}.ipynb — некорректный JSON (") and
               line.endswith("файл повреждён, его нельзя проверить") for line in lines), out
    hint = lines.index("стоит посмотреть (подробности в reports/integrity/<assignment>/<student>.md):")
    assert lines[hint + 1] == f"  - ben ({AID}): заблокированная ячейка {edited} была изменена; восстановлен оригинал"
    english = ("student", "device", "FAILED", "pending", "late", "needs a look", "was edited", "is not valid JSON")
    said = out.replace("<assignment>/<student>", "")  # (a path)
    assert not [word for word in english if word in said], out


def test_the_integrity_reports_are_russian_and_their_records_english(ru_class):
    root, _, edited = ru_class
    folder = root / "reports" / "integrity" / AID
    eli = (folder / "eli.md").read_text()
    assert eli.startswith(f"# Отчёт о целостности: eli, {AID}\n\nИтог: не проверено: {AID}.ipynb — некорректный JSON")
    assert "## Что произошло при проверке\n\n- ничего необычного" in eli and "- ничего не отмечено" in eli
    ben = (folder / "ben.md").read_text()
    assert "Итог: проверено (в песочнице)" in ben
    assert f"- заблокированная ячейка {edited} была изменена; восстановлен оригинал" in ben
    record = json.loads((folder / "eli.json").read_text())  # reports.py reads it: it stays English
    assert record["result"].startswith("not graded: ") and "is not valid JSON" in record["result"]


def test_the_summary_is_russian_and_lang_en_turns_it_back(ru_class):
    root, _, _ = ru_class
    run = _run(root, "reports")
    assert run.returncode == 0, run.stderr
    summary = run.stdout
    assert summary.startswith("Итоги проверки\n==============\n"), summary
    assert f"{AID}: проверены 2 работы, 1 работа НЕ ПРОВЕРЕНА (eli); в среднем " in summary
    assert "; 2 студента ждут ручной проверки (баллов у каждого: " in summary
    assert "; 1 студент опоздал, снято баллов: " in summary
    assert "Целостность: отмечено 0 строк кода студентов" in summary and "Отчёты в reports/: grades.csv" in summary
    assert (root / "reports" / "summary.txt").read_text().strip() == summary.strip()
    (row,) = list(csv.DictReader((root / "reports" / "assignments.csv").open()))
    assert row["graded"] == "2" and row["failed"] == "1"  # the tables keep their English columns
    english = _run(root, "reports", "--lang", "en").stdout
    assert english.startswith("Grading summary\n") and f"{AID}: 2 graded, 1 FAILED (eli)" in english
    assert not CYRILLIC.search(english), english


def _page(root, student):
    return (root / "feedback" / student / AID / f"{AID}.html").read_text()


@pytest.fixture(scope="module")
def ru_feedback(ru_class):
    root, _, _ = ru_class
    run = _run(root, "feedback", AID)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"ada · {AID}: feedback/ada/{AID}/{AID}.html" in run.stdout
    return root


def test_a_russian_notebooks_feedback_page_is_russian(ru_feedback):
    ada, ben = _page(ru_feedback, "ada"), _page(ru_feedback, "ben")
    for page in (ada, ben):
        assert '<html lang="ru">' in page
        assert "<summary>Ваши домашние задания</summary>" in page
        assert "<th>домашнее задание</th><th>срок сдачи</th><th>баллы</th><th>штраф за опоздание</th>" in page
        assert re.search(r"\(Баллы: [\d.]+ из [\d.]+; ещё баллов на ручной проверке: [\d.]+\)</h4>", page)
        assert "Ваш ответ" in page and "(Наверх)" in page and "проверяется вручную, баллов: " in page
        assert "✔ все проверки пройдены" in page and "# (скрытые тесты: запускаются при проверке, не показываются)" in page
        assert not [label for label in ENGLISH_LABELS if label in page]
    assert "Сдано вовремя (срок: 2027-02-22 22:59 UTC)." in ada and "Штраф за опоздание" not in ada
    assert re.search(r"Сдано после срока \(2027-02-22 22:59 UTC\), опоздание: 20 часов; "
                     r"за опоздание снято баллов: [\d.]+ из [\d.]+\.", ben), ben[:3000]
    assert re.search(r"<li class=\"late-penalty\">Штраф за опоздание \(баллы: -[\d.]+\)</li>", ben)
    assert re.search(r"<td>-[\d.]+ \(опоздание: 20 часов\)</td>", ben)


def _notebook(language=None):
    """A graded notebook: a passing and a failing test, a written answer waiting for a TA."""
    def graded(cell, gid, **meta):
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "locked": True, "solution": False, **meta}
        return cell
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="secret", traceback=[])
    nb = nbformat.v4.new_notebook(cells=[
        graded(nbformat.v4.new_code_cell("check(f(1))"), "test_a", points=1, score=1.0),
        graded(nbformat.v4.new_code_cell("check(f(2))", outputs=[error]), "test_b", points=2, score=0.0),
        graded(nbformat.v4.new_markdown_cell("Why?"), "why", points=2, solution=True, locked=False, pending=True),
    ], metadata={"language": language} if language else {})
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell{i}"
    return nb


def _render(nb):
    feedback.HideTestDetails().preprocess(nb, {})
    info = {"notebook": "nb", "score": 1.0, "max_score": 5.0, "pending": 2.0, "late_penalty": 0.5, "timing": "",
            "overview": [{"assignment": AID, "due": "", "points": None, "max": 5.0, "penalty": 0.0, "late": "",
                          "pending": 0.0}]}
    config = Config()  # as nbgrader's GenerateFeedback sets it: where bootstrap.min.css is, to inline it
    config.HTMLExporter.extra_template_paths = [str(Path(feedback.NBGRADER_TEMPLATES).parent / "static" /
                                                    "node_modules" / "bootstrap" / "dist" / "css")]
    page, _ = feedback.FeedbackExporter(config=config).from_notebook_node(nb, resources={"nbgrader": info})
    return page


def test_an_english_notebooks_page_keeps_its_english_and_a_russian_ones_changes_only_its_words():
    english, russian = _render(_notebook()), _render(_notebook("ru"))
    assert "<html>" in english and "<html lang=" not in english and not CYRILLIC.search(english)
    assert all(label in english for label in ("Score: 1.0 / 1.0", "to be graded by hand, 2.0 points", "(Top)",
                                              "ValueError raised by your code during the tests", "not handed in",
                                              "Late submission penalty (Score: -0.5)", "✔ all checks passed"))
    assert _render(_notebook("de")) == english  # a language grading does not speak: English
    assert '<html lang="ru">' in russian and "ValueError: исключение в вашем коде во время тестов" in russian
    assert "Баллы: 1.0 из 1.0" in russian and "Штраф за опоздание (баллы: -0.5)" in russian
    assert not [label for label in ENGLISH_LABELS if label in russian]
    strip = lambda page: re.sub(r">[^<]*<", "><", page.replace('<html lang="ru">', "<html>"))  # noqa: E731
    assert strip(russian) == strip(english)  # the same page: only the words differ


def test_every_word_of_the_feedback_template_is_in_the_catalog_and_translated():
    template = Path(feedback.TEMPLATES, "dlcourse_feedback", "index.html.j2").read_text()
    used = set(re.findall(r"dl_text\.(\w+)", template))
    english, russian = feedback.page_text("en"), feedback.page_text("ru")
    assert used == set(english) and used == set(russian)
    assert [key for key in english if key != "html" and english[key] == russian[key]] == []
    assert [p for p in messages.problems(REPO, "ru") if "/grading.po" in p] == []


@pytest.mark.parametrize("n, late, graded, lines", [
    (1, "1 студент опоздал", "проверена 1 работа", "отмечена 1 строка"),
    (2, "2 студента опоздали", "проверены 2 работы", "отмечены 2 строки"),
    (5, "5 студентов опоздали", "проверено 5 работ", "отмечено 5 строк"),
    (11, "11 студентов опоздали", "проверено 11 работ", "отмечено 11 строк"),
    (21, "21 студент опоздал", "проверена 21 работа", "отмечена 21 строка"),
    (22, "22 студента опоздали", "проверены 22 работы", "отмечены 22 строки"),
    (112, "112 студентов опоздали", "проверено 112 работ", "отмечено 112 строк"),
])
def test_the_summary_says_each_number_in_the_form_it_takes(n, late, graded, lines):
    students = [f"s{i}" for i in range(n)]
    stats = reports.AssignmentStats(AID, 10.0, 2.0, dict.fromkeys(students, 5.0), dict.fromkeys(students, 1), [],
                                    dict.fromkeys(students, 0.5))
    flags = [{"student": "s0", "assignment": AID}] * n
    text = reports.summary_text([stats], [], flags, lang="ru")
    assert f"{AID}: {graded};" in text and f"; {late}, снято баллов: " in text and f"Целостность: {lines} " in text
    assert f"; {late.split(' опоздал')[0]} жд" in text  # … ждёт / ждут ручной проверки
    title = reports.histogram_figure(stats, "ru").axes[0].get_title()
    assert title == f"{AID}: {graded}"


@pytest.mark.parametrize("seconds, russian", [
    (1, "1 секунда"), (3 * 60, "3 минуты"), (25 * 60, "25 минут"), (3600 * 21, "21 час"),
    (86400 + 3600 * 2, "1 день 2 часа"), (5 * 86400, "5 дней"), (12 * 3600 + 1, "12 часов 1 секунда"),
])
def test_a_late_span_is_said_in_russian_numbers(seconds, russian):
    assert deadlines.duration(seconds, "ru") == russian
    assert not CYRILLIC.search(deadlines.duration(seconds))


def test_the_class_language_comes_from_course_toml_or_lang(tmp_path):
    assert deadlines.class_language(tmp_path) == "en"  # no course.toml
    (tmp_path / "course.toml").write_text('language = "ru"\n')
    assert deadlines.class_language(tmp_path) == "ru" and deadlines.class_language(tmp_path, "en") == "en"
    (tmp_path / "course.toml").write_text('language = "xx"\n')
    with pytest.raises(ScheduleError, match="language is 'xx'; grading speaks en, ru"):
        deadlines.class_language(tmp_path)
    outcomes = [pipeline.Outcome("ada", AID, True, 1.0, points=12, max_points=15, pending=3, device="cpu"),
                pipeline.Outcome("eli", AID, False, 1.0, error="nothing submitted",
                                 notes=["the kernel died in cell test_x; later cells were not run", "more"])]
    table = pipeline.grade_table(outcomes, "ru").splitlines()
    assert table[2].split() == ["ada", "12/15", "(3", "на", "ручной", "проверке)", "cpu"]
    assert table[-1] == f"НЕ ПРОВЕРЕНО eli · {AID}: ничего не сдано"
    assert unit.attention_lines(outcomes, "ru")[1] == \
        f"  - eli ({AID}): ядро аварийно завершилось в ячейке test_x; следующие ячейки не запускались (и ещё 1)"
    assert pipeline.grade_table(outcomes) == pipeline.grade_table(outcomes, "en")
    assert not CYRILLIC.search(pipeline.grade_table(outcomes) + "\n".join(unit.attention_lines(outcomes)))


def test_a_student_reads_the_russian_feedback_page_in_a_browser(ru_feedback, browser, tmp_path):
    """What ben (late) sees when he opens his page: Russian words, in a page that fetches nothing."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fetched = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else
               (fetched.append(r.request.url), r.abort()))
    try:
        page.goto((ru_feedback / "feedback" / "ben" / AID / f"{AID}.html").as_uri())
        page.get_by_text("Ваш ответ").first.wait_for()
        assert page.evaluate("document.documentElement.lang") == "ru"
        body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "feedback-ru.png"))
    finally:
        page.close()
    assert "Сдано после срока" in body and "Штраф за опоздание" in body and "все проверки пройдены" in body
    assert not [label for label in ENGLISH_LABELS if label in body] and fetched == []
