"""The translations: complete, compiled, up to date with the code, and served by language.

Every catalog under gridwork/locale/ is checked: no entry untranslated or fuzzy, the same placeholders in the
translation as in the English, the committed .mo compiled from the committed .po, and no string in the code
that `make messages` would still have to add. The last test asks for the sign-in page in each language.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "gridwork"
LOCALE_DIR = SOURCE_DIR / "locale"
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
MAIN_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"

# The makemessages call of `make messages` (see the Makefile), run from gridwork/.
MAKEMESSAGES_ARGS = ["--locale", "zh_Hans", "--no-obsolete", "--no-location", "--ignore", "tests/*"]

# Python-format placeholders (%(name)s, %(count)d, %(lat).6f, %s, %d) and template variables ({{ name }}).
PLACEHOLDER_RE = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[sdifr]|%[#0 +-]*\d*(?:\.\d+)?[sdifr]|\{\{.*?\}\}")

EntryKey = tuple[str | None, str, str | None]


def placeholders(text: str) -> list[str]:
    """The placeholders of ``text``, sorted, ``%%`` (a literal percent sign) left out."""
    return sorted(PLACEHOLDER_RE.findall(text.replace("%%", "")))


def entry_key(entry: polib.POEntry | polib.MOEntry) -> EntryKey:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)


def entry_name(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


def live_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete]


def po_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_is_a_simplified_chinese_catalog() -> None:
    assert MAIN_PO in PO_FILES, f"{po_id(MAIN_PO)} is missing: run `make messages`"


@pytest.mark.parametrize("po_path", PO_FILES, ids=po_id)
def test_catalog_header(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    language = po_path.parent.parent.name
    assert catalog.metadata.get("Language") == language
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")
    if language.startswith("zh"):
        assert catalog.metadata.get("Plural-Forms") == "nplurals=1; plural=0;"
    assert not catalog.metadata_is_fuzzy, "the header is marked fuzzy: remove the '#, fuzzy' above it"


@pytest.mark.parametrize("po_path", PO_FILES, ids=po_id)
def test_every_entry_is_translated_and_not_fuzzy(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    fuzzy = [entry_name(entry) for entry in live_entries(catalog) if "fuzzy" in entry.flags]
    untranslated = [
        entry_name(entry)
        for entry in live_entries(catalog)
        if "fuzzy" not in entry.flags
        and not (
            all(value.strip() for value in entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr.strip()
        )
    ]
    problems = [f"fuzzy: {name}" for name in fuzzy] + [f"untranslated: {name}" for name in untranslated]
    assert not problems, f"{po_id(po_path)}: translate these, then `make messages`:\n" + "\n".join(problems)


@pytest.mark.parametrize("po_path", PO_FILES, ids=po_id)
def test_plural_entries_have_every_form(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    match = re.search(r"nplurals\s*=\s*(\d+)", catalog.metadata.get("Plural-Forms", ""))
    assert match, f"{po_id(po_path)} has no Plural-Forms header"
    forms = int(match.group(1))
    wrong = [
        f"{entry_name(entry)}: forms {sorted(entry.msgstr_plural)}"
        for entry in live_entries(catalog)
        if entry.msgid_plural and sorted(entry.msgstr_plural) != list(range(forms))
    ]
    assert not wrong, f"{po_id(po_path)}: plural entries need msgstr[0]…msgstr[{forms - 1}]:\n" + "\n".join(wrong)


@pytest.mark.parametrize("po_path", PO_FILES, ids=po_id)
def test_translations_keep_the_placeholders(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    wrong = []
    for entry in live_entries(catalog):
        if entry.msgid_plural:
            # One form of a language with fewer forms than English stands for both English forms: it must
            # carry the placeholders of the plural (or, where they agree, of the singular).
            allowed = [placeholders(entry.msgid_plural), placeholders(entry.msgid)]
            translations = list(entry.msgstr_plural.values())
        else:
            allowed = [placeholders(entry.msgid)]
            translations = [entry.msgstr]
        for text in translations:
            if text and placeholders(text) not in allowed:
                wrong.append(f"{entry_name(entry)}\n    expected {allowed[0]}, got {placeholders(text)}: {text!r}")
    assert not wrong, f"{po_id(po_path)}: placeholders differ from the English:\n" + "\n".join(wrong)


def mo_table(catalog: polib._BaseFile) -> dict[EntryKey, str | tuple[str, ...]]:
    """msgid → msgstr (or the tuple of plural forms) of the translated, not fuzzy entries."""
    table: dict[EntryKey, str | tuple[str, ...]] = {}
    for entry in catalog:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
            if any(forms):
                table[entry_key(entry)] = forms
        elif entry.msgstr:
            table[entry_key(entry)] = entry.msgstr
    return table


@pytest.mark.parametrize("po_path", PO_FILES, ids=po_id)
def test_the_committed_mo_is_compiled_from_the_po(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{po_id(mo_path)} is missing: run `make messages` and commit it with the .po"
    from_po = mo_table(polib.pofile(str(po_path)))
    from_mo = mo_table(polib.mofile(str(mo_path)))
    stale = sorted(
        f"{key[1]!r}: .po {from_po.get(key)!r}, .mo {from_mo.get(key)!r}"
        for key in from_po.keys() | from_mo.keys()
        if from_po.get(key) != from_mo.get(key)
    )
    assert not stale, f"{po_id(mo_path)} is out of date: run `make messages` and commit it:\n" + "\n".join(stale)


@pytest.mark.slow
def test_makemessages_finds_no_new_strings(tmp_path: Path) -> None:
    """Run the makemessages of `make messages` for real, then put the .po back as it was."""
    saved = tmp_path / "django.po"
    shutil.copy2(MAIN_PO, saved)
    before = {entry_key(entry) for entry in live_entries(polib.pofile(str(saved)))}
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "makemessages", *MAKEMESSAGES_ARGS],
            cwd=SOURCE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
        after = {entry_key(entry) for entry in live_entries(polib.pofile(str(MAIN_PO)))}
    finally:
        shutil.copy2(saved, MAIN_PO)
    elapsed = time.monotonic() - started
    new = sorted(after - before, key=lambda key: key[1])
    assert not new, (
        f"{len(new)} string(s) in the code are not in {po_id(MAIN_PO)}: run `make messages`, translate them, "
        "run `make messages` again and commit the .po and .mo:\n" + "\n".join(repr(key[1]) for key in new)
    )
    assert elapsed < 60, f"makemessages took {elapsed:.0f} s"


# --- the language a page is served in ----------------------------------------------------------------------


@pytest.fixture
def keep_language() -> Iterator[None]:
    """The middleware activates the request's language in this thread; give the next test back its own."""
    with translation.override(translation.get_language()):
        yield


def html_lang(html: str) -> str:
    match = re.search(r"<html[^>]*\slang=\"([^\"]+)\"", html)
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_language")
def test_the_sign_in_page_is_in_chinese_by_default() -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html_lang(html) == settings.LANGUAGE_CODE == "zh-hans"
    assert "登录" in html
    assert "Sign in" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_language")
@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_the_sign_in_page_is_in_english_when_asked(how: str) -> None:
    client = Client()
    headers = {}
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    else:
        headers["Accept-Language"] = "en"
    response = client.get("/accounts/login/", headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert html_lang(html) == "en"
    assert "Sign in" in html
    assert "登录" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_language")
def test_the_language_switch_sets_the_cookie_and_the_page_follows() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/accounts/login/").content.decode()
    assert html_lang(html) == "en"
    assert "Sign in" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert html_lang(html) == "zh-hans"
    assert "登录" in html


@pytest.mark.django_db
def test_the_language_switch_names_each_language_in_itself(client: Client) -> None:
    """A reader who does not read the current language still finds their own: 简体中文 and English, always."""
    for accept in ("zh-hans", "en"):
        html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert ">简体中文</option>" in html
        assert ">English</option>" in html
