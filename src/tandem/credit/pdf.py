"""The report card as a PDF (reportlab): the same sections and words as the printable page."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    Flowable,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from tandem.credit.selectors import CourseReport, ReportCard, StandardLine
from tandem.credit.text import credit_sentence, intro_sentence, term_sentence


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h2": base["Heading2"],
        "h3": base["Heading3"],
        "body": base["BodyText"],
        "small": ParagraphStyle(
            "small", parent=base["BodyText"], fontSize=8, textColor=colors.grey
        ),
    }


def _lines(lines: list[StandardLine], style: ParagraphStyle) -> ListFlowable:
    items = [
        ListItem(
            Paragraph(
                f"<b>{escape(str(line.progress.label))}</b>: "
                f"{escape(line.competency.full_statement)}"
                f" <font size=8 color=grey>({escape(line.competency.code)})</font>",
                style,
            ),
            leftIndent=12,
        )
        for line in lines
    ]
    return ListFlowable(items, bulletType="bullet", start="•", leftIndent=12)


def _course(course: CourseReport, card: ReportCard, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    name = escape(card.student.first_name or card.student.display_name)
    story: list[Flowable] = [Paragraph(escape(course.course.title), s["h2"])]
    if course.teachers:
        story.append(
            Paragraph(
                escape(gettext("Teacher: %(names)s") % {"names": ", ".join(course.teachers)}),
                s["body"],
            )
        )
    story.append(Paragraph(escape(credit_sentence(course, card.student)), s["body"]))
    sections = [
        (
            gettext("What %(name)s can do") % {"name": name},
            course.can_do,
            gettext("Nothing confirmed yet."),
        ),
        (
            gettext("What %(name)s is working on") % {"name": name},
            course.working_on,
            gettext("Nothing in progress right now."),
        ),
        (
            gettext("What comes next"),
            course.next_up,
            gettext("Every standard of this course has been started."),
        ),
    ]
    for heading, lines, empty in sections:
        story.append(Paragraph(heading, s["h3"]))
        story.append(_lines(lines, s["body"]) if lines else Paragraph(empty, s["body"]))
    if course.not_started > len(course.next_up):
        more = course.not_started - len(course.next_up)
        story.append(
            Paragraph(
                gettext("And %(n)s more standards not started yet.") % {"n": more}, s["small"]
            )
        )
    return story


def report_card_pdf(card: ReportCard) -> bytes:
    """The report card as PDF bytes."""
    buffer = io.BytesIO()
    s = _styles()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.8 * inch,
        rightMargin=0.8 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=gettext("Report card: %(name)s") % {"name": card.student.display_name},
        author="Tandem",
    )
    story: list[Flowable] = [
        Paragraph(
            gettext("Report card: %(name)s") % {"name": escape(card.student.display_name)},
            s["title"],
        ),
        Paragraph(escape(term_sentence(card)), s["body"]),
        Paragraph(escape(intro_sentence()), s["body"]),
        Spacer(1, 8),
    ]
    if not card.courses:
        story.append(Paragraph(gettext("No classes in this term."), s["body"]))
    for course in card.courses:
        story.extend(_course(course, card, s))
        story.append(Spacer(1, 10))
    doc.build(story)
    return buffer.getvalue()
