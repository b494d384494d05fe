"""The leaders' pages: who may open them, what they find, and that no figure about a group
under the small-cell threshold leaves the server."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, make_school
from tests.leaders.conftest import build_lead_school, class_a_change

from tandem.leaders.services import figures_compute_all

pytestmark = pytest.mark.django_db

PAGES = ["leaders:growth", "leaders:equity", "leaders:time", "leaders:changes"]
# Queries per page, session and user included; the same for any number of students.
QUERIES = {"leaders:growth": 4, "leaders:equity": 4, "leaders:time": 6, "leaders:changes": 5}


def _admin_client(client, lead_school):
    assert client.login(username=lead_school.school.admin.username, password=PASSWORD)
    return client


def test_equity_page_flags_the_planted_inequity(client, lead_school):
    body = _admin_client(client, lead_school).get(reverse("leaders:equity")).content.decode()
    flagged = body.split('id="flagged-heading"')[1].split("</section>")[0]
    found = "Beyond chance:</strong> <strong>Hispanic or Latino</strong>, share of practice below"
    assert found in flagged
    assert "95% interval" in flagged


@pytest.mark.parametrize("name", PAGES)
def test_no_page_shows_a_group_under_the_threshold(client, lead_school, name):
    body = _admin_client(client, lead_school).get(reverse(name)).content.decode()
    counts = [int(n) for n in re.findall(r'data-n="(\d+)"', body)]
    assert all(n >= 10 for n in counts), counts
    # The three Asian students are named as too few, and no figure row carries them.
    assert not re.search(r"<th scope=\"row\">Asian</th><td data-n", body)


def test_csv_export_has_no_small_cell(client, lead_school):
    response = _admin_client(client, lead_school).get(reverse("leaders:equity_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(int(r["students_in_group"]) >= 10 for r in rows)
    assert all(int(r["students_in_rest"]) >= 10 for r in rows)
    assert "Asian" not in {r["group"] for r in rows}
    assert any(r["group"] == "Hispanic or Latino" and r["beyond_chance"] == "yes" for r in rows)
    # Groups and figures only: no student's name or pseudonym.
    text = response.content.decode()
    assert not any(s.pseudonym in text or s.last_name in text for s in lead_school.students)


def test_raising_the_threshold_hides_more(client, lead_school, settings):
    settings.TANDEM_SMALL_CELL = 35
    body = _admin_client(client, lead_school).get(reverse("leaders:equity")).content.decode()
    assert all(int(n) >= 35 for n in re.findall(r'data-n="(\d+)"', body))
    assert "Hispanic or Latino" in body.split("Too few students to show")[1]


@pytest.mark.parametrize("name", PAGES)
def test_pages_run_a_fixed_number_of_queries(client, lead_school, name, django_assert_num_queries):
    client = _admin_client(client, lead_school)
    client.get(reverse(name))  # warm caches (session, content types)
    with django_assert_num_queries(QUERIES[name]):
        client.get(reverse(name))
    # More students do not mean more queries: the page reads the stored figures.
    build_lead_school(seed=9)
    with django_assert_num_queries(QUERIES[name]):
        started = time.perf_counter()
        client.get(reverse(name))
        elapsed = time.perf_counter() - started
    print(f"{name}: {QUERIES[name]} queries, {elapsed * 1000:.0f} ms")


def test_pages_render_for_an_empty_school(client, db):
    school = make_school()
    figures_compute_all(now=timezone.now())
    assert client.login(username=school.admin.username, password=PASSWORD)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("leaders:equity_csv")).status_code == 200


def test_pages_read_the_stored_figures_and_never_the_history(client, lead_school):
    client = _admin_client(client, lead_school)
    client.get(reverse("leaders:growth"))
    with CaptureQueriesContext(connection) as later:
        body = client.get(reverse("leaders:equity")).content.decode()
    tables = " ".join(q["sql"] for q in later)
    assert "evidence_statement" not in tables and "mastery_statechange" not in tables
    assert "Figures as of" in body and "refreshing" not in body


def test_a_changes_result_runs_a_fixed_number_of_queries(
    client, lead_school, django_assert_num_queries
):
    """The difference in differences is worked out from the answers on request, in the same
    queries however many students and answers there are."""

    school = lead_school.school
    change = class_a_change(school, days_ago=14, weeks=2)
    client = _admin_client(client, lead_school)
    url = reverse("leaders:change", args=[change.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    build_lead_school(seed=9)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)
    assert len(before.captured_queries) <= 8
