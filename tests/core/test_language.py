"""Pages speak English or Spanish: a user's choice is kept on their account, the browser's
Accept-Language applies without one, and the Spanish catalog is complete and compiled."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse
from tests.factories import PASSWORD, make_school

import tandem

pytestmark = pytest.mark.django_db

CATALOG = Path(tandem.__file__).parent / "locale" / "es" / "LC_MESSAGES"


def _po_entries(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (plural forms: the first; a msgid with a context is keyed
    "context\x04msgid", as the compiled catalog keys it), enough to check the catalog."""
    entries: dict[str, str] = {}
    empty = {"msgctxt": "", "msgid": "", "msgstr": ""}
    key, msgid, current = "", None, dict(empty)

    def keep() -> None:
        context = current["msgctxt"]
        entries[f"{context}\x04{current['msgid']}" if context else current["msgid"]] = current[
            "msgstr"
        ]

    pattern = r'^(msgctxt|msgid|msgstr|msgstr\[0\]|msgid_plural|msgstr\[\d\]) (".*")$'
    for line in [*text.splitlines(), ""]:
        match = re.match(pattern, line)
        if match:
            starts_entry = match.group(1) == "msgctxt" or (
                match.group(1) == "msgid" and key != "msgctxt"
            )
            key = match.group(1)
            if starts_entry and msgid is not None:
                keep()
                current = dict(empty)
            if key == "msgid":
                msgid = ""
            key = {"msgstr[0]": "msgstr"}.get(key, key)
            if key in current:
                current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key in current:
            current[key] += ast.literal_eval(line)
    if msgid is not None:
        keep()
    entries.pop("", None)
    return entries


def _sign_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_every_message_is_translated_and_the_compiled_catalog_matches() -> None:
    entries = _po_entries((CATALOG / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 10
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == [], "run `make messages` and translate these"
    with (CATALOG / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = [m for m, s in entries.items() if "%" not in m and catalog.gettext(m) != s]
    assert stale == [], "django.mo is older than django.po: run `make messages`"


def test_a_student_who_chooses_spanish_reads_spanish_on_every_device(client) -> None:
    school = make_school()
    student = school.student_a
    _sign_in(client, student)
    response = client.post(reverse("language"), {"language": "es", "next": reverse("home")})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    student.refresh_from_db()
    assert student.language == "es"

    # Another device, no cookie: the account's choice applies.
    client.cookies.clear()
    _sign_in(client, student)
    page = client.get(reverse("practice:home")).content.decode()
    assert '<html lang="es">' in page
    assert "Cerrar sesión" in page
    assert "Sign out" not in page


def test_the_browser_language_applies_until_the_user_chooses(client) -> None:
    school = make_school()
    _sign_in(client, school.student_a)
    page = client.get(reverse("practice:home"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert "Cerrar sesión" in page.content.decode()

    client.post(reverse("language"), {"language": "en", "next": "/"})
    client.cookies.pop("django_language", None)
    page = client.get(reverse("practice:home"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert "Sign out" in page.content.decode()


def test_an_unknown_language_or_an_outside_address_changes_nothing_unsafe(client) -> None:
    school = make_school()
    _sign_in(client, school.student_a)
    assert client.post(reverse("language"), {"language": "fr"}).status_code == 400
    school.student_a.refresh_from_db()
    assert school.student_a.language == ""
    response = client.post(reverse("language"), {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get(reverse("language")).status_code == 405


def test_the_sign_in_page_speaks_the_chosen_language_by_cookie(client) -> None:
    client.post(reverse("language"), {"language": "es", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="es">' in page


def test_dates_read_in_the_readers_order() -> None:
    """Templates write US formats; a Spanish reader gets day before month, 24-hour times."""
    import datetime as dt

    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string(
        '{{ d|date:"M j, Y" }} / {{ d|date:"l, F j" }} / '
        '{{ d|date:"M j, g:i A" }} / {{ d|date:"c" }}'
    )
    moment = dt.datetime(2026, 12, 4, 15, 5, tzinfo=dt.UTC)
    with translation.override("en"):
        english = template.render({"d": moment})
    with translation.override("es"):
        spanish = template.render({"d": moment})
    assert english.startswith("Dec 4, 2026 / Friday, December 4 / Dec 4, 3:05 PM / 2026-12-04")
    assert spanish.startswith("4 dic 2026 / Viernes 4 de diciembre / 4 dic, 15:05 / 2026-12-04")
