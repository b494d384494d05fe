"""The shared UI template helpers render the words assistive technology needs."""

from __future__ import annotations

import re

from django.template import Context, Template


def render(source: str, **context: object) -> str:
    return Template("{% load tandem_ui %}" + source).render(Context(context))


def test_mastery_cell_has_pattern_class_and_words() -> None:
    html = render(
        "{% mastery_cell 'learning' 0.62 True 'Ana, Fractions' %}",
    )

    assert 'class="mastery m-learning uncertain"' in html
    assert "Ana, Fractions: Learning, 62% likely mastered, little evidence yet" in html
    assert 'class="visually-hidden"' in html


def test_unknown_status_falls_back_to_not_started() -> None:
    assert "m-not_started" in render("{% mastery_cell 'bogus' %}")


def test_legend_lists_every_state() -> None:
    html = render("{% mastery_legend %}")

    for name in ("Not started", "Learning", "Mastered", "Needs review", "little evidence"):
        assert name in html


def test_progress_legend_lists_every_word_with_its_pattern() -> None:
    html = render("{% progress_legend %}")

    for name in ("Not started", "Practicing", "Nearly there", "Got it", "Needs review"):
        assert name in html
    assert "m-learning m-nearly" in html and "m-probably_mastered" in html
    assert "%" not in html and "little evidence" not in html


def test_flag_has_words() -> None:
    assert render("{% flag 'stuck' %}") == '<span class="flag flag-stuck">Stuck</span>'


def test_sparkline_is_a_labelled_svg() -> None:
    html = render(
        "{% sparkline values 'Mastery over six weeks' low=0 high=1 %}", values=[0.2, 0.5, None, 0.9]
    )

    assert html.startswith('<svg class="sparkline"')
    assert 'role="img" aria-label="Mastery over six weeks"' in html
    points = re.search(r'points="([^"]+)"', html)
    assert points is not None
    assert len(points.group(1).split()) == 3  # the missing value is skipped


def test_sparkline_without_data() -> None:
    assert "–" in render("{% sparkline values 'Nothing yet' %}", values=[])


def test_percent_filter() -> None:
    assert render("{{ p|percent }}", p=0.621) == "62%"
    assert render("{{ p|percent }}", p=None) == "–"
