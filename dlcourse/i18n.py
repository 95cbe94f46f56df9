"""The student's language: the checks' messages and the demos' labels follow the notebook's.

A notebook of the Russian edition carries ``"language": "ru"`` in its metadata (the edition's
build puts it there). `language` finds the notebook a kernel runs: the path Jupyter's server gives
the kernel (``JPY_SESSION_NAME``), else the notebooks in the kernel's working folder (nbgrader's
validate and autograde run a notebook there). ``DLCOURSE_LANG`` overrides both.

Messages are gettext catalogs, ``dlcourse/locale/<lang>/*.po``, keyed by the English text (read with
Babel, which also gives each language its plural forms). A message the checks build with an
f-string (``f"expected shape {want}, found {got}"``) is found by its template: the catalog's msgid
``expected shape {0}, found {1}`` matches the English, and the translation gets the same values,
each translated in turn. English needs no catalog and imports nothing.
"""
import functools
import gettext as _gettext
import io
import json
import os
import re
from pathlib import Path

LOCALE = Path(__file__).with_name("locale")
ENGLISH = "en"
PLACEHOLDER = re.compile(r"\{(\d+)\}")


@functools.cache
def _notebook_language(path):
    """The `language` in a notebook's metadata, or None when it has none or cannot be read."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file).get("metadata", {}).get("language")
    except (OSError, ValueError, AttributeError):
        return None


def language(env=None, cwd=None):
    """The language of the notebook this process runs ("en" when nothing says otherwise)."""
    env = os.environ if env is None else env
    if env.get("DLCOURSE_LANG"):
        return env["DLCOURSE_LANG"]
    session = env.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and os.path.isfile(session):
        return _notebook_language(os.path.abspath(session)) or ENGLISH
    try:
        folder = Path(cwd or os.getcwd())
        found = {_notebook_language(str(p.resolve())) for p in folder.glob("*.ipynb")}
    except OSError:
        return ENGLISH
    return found.pop() or ENGLISH if len(found) == 1 else ENGLISH


class Catalog:
    """One language's messages: plain ones by their English text, templated ones by pattern."""

    def __init__(self, lang):
        from babel.messages.catalog import Catalog as Messages
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
        merged = Messages(locale=lang)  # the translated messages of every file (the first translation wins)
        for path in sorted((LOCALE / lang).glob("*.po")):
            with open(path, "rb") as file:
                for message in read_po(file, locale=lang):
                    strings = message.string if isinstance(message.string, tuple) else (message.string,)
                    if message.id and all(strings) and message.id not in merged:
                        merged.add(message.id, message.string)
        buffer = io.BytesIO()
        write_mo(buffer, merged)
        buffer.seek(0)
        self.translations = _gettext.GNUTranslations(buffer)
        templates = [m for m in merged if isinstance(m.id, str) and PLACEHOLDER.search(m.id)]
        # Most specific first: the template with the most fixed text wins.
        templates.sort(key=lambda m: -len(PLACEHOLDER.sub("", m.id)))
        self.templates = [(pattern(m.id), m.id, m.string) for m in templates]

    def ngettext(self, singular, plural, n):
        return self.translations.ngettext(singular, plural, n)

    def translate(self, text, depth=0):
        """`text` in this language: its own entry, else the first template it matches, else as it is."""
        if not text:
            return text  # gettext("") is the catalog's header
        found = self.translations.gettext(text)
        if found != text or depth > 3:
            return found
        for regex, msgid, msgstr in self.templates:
            match = regex.fullmatch(text)
            if match:
                values = [self.translate(v, depth + 1) for v in match.groups()]
                order = [int(i) for i in PLACEHOLDER.findall(msgid)]
                by_index = dict(zip(order, values))
                return PLACEHOLDER.sub(lambda m: by_index.get(int(m[1]), m[0]), msgstr)
        return text


def pattern(msgid):
    """The regular expression of a template: its fixed text exactly, each {n} any text."""
    parts = PLACEHOLDER.split(msgid)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else "(.*?)" for i, p in enumerate(parts)), re.S)


@functools.cache
def catalog(lang):
    """The catalog of `lang` (read once per process), or None for English."""
    return None if lang == ENGLISH else Catalog(lang)


def marked(text):
    """`text` as it is: marks a message kept for later (a table's entry) so that it is extracted."""
    return text


def translate(text, lang=None):
    """A message (built in English) in `lang`, by default the notebook's language."""
    found = catalog(lang or language())
    return text if found is None else found.translate(text)


def ngettext(singular, plural, n, lang=None, **values):
    """The form of a message for the number `n` in `lang`, formatted with `n` and `values`."""
    found = catalog(lang or language())
    count = int(n)  # gettext picks a form by a whole number; 1.5 points reads like 1
    form = (singular if n == 1 else plural) if found is None else found.ngettext(singular, plural, count)
    return form.format(n=f"{n:g}" if isinstance(n, float) else n, **values)
