"""The student pages and the report card speak Spanish to a student (and a guardian) who chose
it: each page's key English sentences, present when the page speaks English, are all gone in
Spanish, and a few of their Spanish sentences are there instead."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, master
from tests.goals.conftest import _fast_passwords, grade_6_pack, school

from tandem.content.services import written_item_create
from tandem.credit.models import CreditRule
from tandem.credit.selectors import course_standards
from tandem.projects.constants import ReviewDecision
from tandem.projects.models import ProjectTemplate
from tandem.projects.services import project_library_seed, project_propose, project_review

__all__ = ["_fast_passwords", "grade_6_pack", "school"]

pytestmark = pytest.mark.django_db

# Each page: its key English sentences and words (its headings, hints, buttons and the
# sentences built in Python), and Spanish that must be there instead.
PAGES: dict[str, tuple[list[str], list[str]]] = {
    "home": (
        [
            "<h1>My learning</h1>",
            "You can work on anything you are ready for",
            "Ready to learn next",
            "My recent progress",
            "My report card",
            ">Written questions<",
        ],
        ["Mi aprendizaje", "Listo para aprender", "Mi progreso reciente"],
    ),
    "practice": (
        ["<h1>Practice</h1>", "Why this item:", "Check my answer", "hard enough to learn from"],
        ["Por qué esta pregunta:", "Revisar mi respuesta"],
    ),
    "goals": (
        [
            "<h1>My goals</h1>",
            "This week’s goals",
            "Add a goal",
            "What kind of goal?",
            "A project milestone",
            "My goal, in a few words",
            "Only for a competency goal",
            "Add goal",
            "more this week",
            "Look back",
            "Past weeks",
            "No goals set",
        ],
        ["Mis metas", "Agregar una meta", "¿Qué tipo de meta?"],
    ),
    "pathway": (
        [
            "<h1>My pathway</h1>",
            "Your plan for the year",
            "Practice now",
            "Pace",
            "The plan",
            "Waiting for your teacher’s approval",
            "Steps, in order",
            "Ready to start",
            "Needs earlier steps first",
            "Targets",
            "Add a target",
            "Competency to aim for",
            "Add a project",
            "Project title",
            "What will you do?",
            "History of changes",
            "Time estimates",
            "of practice",
            "has gone by",
        ],
        ["Mi plan de aprendizaje", "Pasos, en orden", "Agregar un objetivo"],
    ),
    "wellbeing": (
        [
            "How was your week?",
            "Two quick questions",
            "How did school feel this week?",
            "Really good",
            "Not so good",
            "Is there someone at school you can ask for help?",
            "Not sure",
            "A teacher, a counselor",
            "Anything else you want to tell us?",
            "characters.",
            "Save my answers",
            "If something is wrong",
        ],
        ["¿Cómo te fue esta semana?", "Guardar mis respuestas", "Muy bien"],
    ),
    "flex": (
        [
            "My flex choices",
            "Choose what you would like to do in each flex period",
            "Week of",
            "No flex sessions are offered for your grade this week yet.",
        ],
        ["Mis opciones de horario flexible", "Semana del"],
    ),
    "projects": (
        [
            "Real-world projects",
            "Propose my own project",
            "My projects",
            "Last change",
            "Project library",
            "What are you into?",
            "Everything",
            "Math:",
            "See the rubric and start",
            "Waiting for your teacher to approve it",
        ],
        ["Proyectos", "Biblioteca de proyectos", "Proponer mi propio proyecto"],
    ),
    "project": (
        [
            "Change my proposal",
            "About it",
            "Why it interests me:",
            "Math it shows:",
            "Milestones",
            "You can mark milestones done once your teacher approves the project.",
            "Rubric",
            "Your teacher chooses one box per row.",
            "What is judged",
            "Proficient",
            "Exemplary",
            "Work handed in",
            "Nothing handed in yet.",
            "Scores",
            "Not scored yet.",
        ],
        ["Cambiar mi propuesta", "Rúbrica", "Competente"],
    ),
    "project_under_way": (
        ["Hand in work", "What is this for?", "My final work", "Write about your work", "Hand in"],
        ["Entregar trabajo", "Adjuntar un archivo"],
    ),
    "propose": (
        [
            "Propose my own project",
            "Tell your teacher what you want to make or find out",
            "Your proposal",
            "What will you make or find out?",
            "Why does it interest you?",
            "Which competencies will the project show?",
            "Or type competency codes",
            "Send to my teacher",
            "(optional)",
        ],
        ["Tu propuesta", "Enviar a mi maestro o maestra"],
    ),
    "propose_template": (
        ["The idea", "Math it shows:", "How it will be scored", "shows you can do it", "days in"],
        ["La idea", "Cómo se va a calificar"],
    ),
    "profile": (
        [
            "<h1>My profile</h1>",
            "Tell your teachers what you like",
            "About me",
            "Things I like",
            "Coding and computers",
            "Other things I like",
            "Languages I speak",
            "We speak it at home",
            "Save my profile",
            "My profile as others see it",
            "What I’m good at",
            "skills",
            "What to work on",
            "Current goals",
            "My edit history",
        ],
        ["Mi perfil", "Cosas que me gustan", "Guardar mi perfil"],
    ),
    "diagnostic": (
        [
            "<h1>Find your starting point</h1>",
            "What the diagnostic is",
            "It is not a test and has no mark.",
            "Start the diagnostic",
        ],
        ["Encuentra tu punto de partida", "Qué es el diagnóstico", "Empezar el diagnóstico"],
    ),
    "written": (
        ["<h1>Written questions</h1>", "To answer", "My written answers"],
        ["Preguntas escritas", "Por responder", "Mis respuestas escritas"],
    ),
    "written_question": (
        [
            "<h1>Written question</h1>",
            "Send to my teacher",
            "Use my drawing",
            "Explain your thinking in your own words",
            "A photo or drawing of your work",
            'data-say-empty="Draw something first."',
        ],
        ["Enviar a mi maestro", "Usar mi dibujo", "Una foto o un dibujo de tu trabajo"],
    ),
    "report": (
        [
            "Report card",
            "Download PDF",
            "Print",
            "grade-level standards is shown in words",
            "Where things stand on",
            "Teacher:",
            "can do",
            "is working on",
            "What comes next",
            "has mastered",
            "The credit asks for",
        ],
        ["Boleta de calificaciones", "Lo que sigue", "Así van las cosas"],
    ),
}


def _get(client, url: str, language: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    return page


@pytest.fixture
def urls(school) -> dict[str, str]:
    project_library_seed()
    now = timezone.now()
    template = ProjectTemplate.objects.filter(published=True).order_by("pk").first()
    assert template is not None and template.milestones.exists()
    student = school.student_a
    proposed, _ = project_propose(
        student=student, template=template, interest="I like trips.", now=now
    )
    codes = [c.code for c in course_standards(school.class_a.course)]
    under_way, _ = project_propose(
        student=student,
        title="Garden",
        description="Plan a class garden.",
        interest="Plants.",
        competencies=[c for c in course_standards(school.class_a.course)[:1]],
        now=now,
    )
    project_review(
        teacher=school.teacher_a, project=under_way, decision=ReviewDecision.APPROVE, now=now
    )
    CreditRule.objects.create(course=school.class_a.course, share_required=0.5)
    written = written_item_create(
        stem="Explain what the ratio 3:2 tells you.", competency_codes=[codes[0]], expected_lines=3
    )
    for code in codes[:2]:
        master(student, code)
    return {
        "home": reverse("practice:home"),
        "practice": reverse("practice:practice"),
        "goals": reverse("goals:home"),
        "pathway": reverse("pathways:mine"),
        "wellbeing": reverse("wellbeing:check"),
        "flex": reverse("flex:choose"),
        "projects": reverse("projects:library"),
        "project": reverse("projects:project", args=[proposed.pk]),
        "project_under_way": reverse("projects:project", args=[under_way.pk]),
        "propose": reverse("projects:propose"),
        "propose_template": reverse("projects:propose") + f"?template={template.pk}",
        "profile": reverse("profiles:mine"),
        "report": reverse("credit:report", args=[student.pk]),
        "diagnostic": reverse("placement:home"),
        "written": reverse("practice:written"),
        "written_question": reverse("practice:written_question", args=[written.pk]),
    }


def _pages_in(client, user, urls: dict[str, str], language: str) -> dict[str, str]:
    user.language = language
    user.save(update_fields=["language"])
    assert client.login(username=user.username, password=PASSWORD)
    return {name: _get(client, url, language) for name, url in urls.items()}


def test_every_student_page_and_the_report_card_speak_spanish(client, school, urls) -> None:
    english = _pages_in(client, school.student_a, urls, "en")
    client.logout()
    spanish = _pages_in(client, school.student_a, urls, "es")
    not_on_the_page, left_in_english, no_spanish = {}, {}, {}
    for name, (english_phrases, spanish_phrases) in PAGES.items():
        # The list is about this page: every phrase is there when it speaks English.
        not_on_the_page[name] = [p for p in english_phrases if p not in english[name]]
        left_in_english[name] = [p for p in english_phrases if p in spanish[name]]
        no_spanish[name] = [p for p in spanish_phrases if p not in spanish[name]]
    assert {k: v for k, v in not_on_the_page.items() if v} == {}
    assert {k: v for k, v in left_in_english.items() if v} == {}
    assert {k: v for k, v in no_spanish.items() if v} == {}
    # Why the item was picked is stored in English and read in Spanish.
    why = re.search(r"Por qué esta pregunta:</strong>\s*(.*?)\.", spanish["practice"], re.S)
    assert why is not None and why.group(1).strip() in _spanish_reasons()


def _spanish_reasons() -> set[str]:
    from django.utils import translation

    from tandem.practice import policy, services

    english = [
        value
        for module in (policy, services)
        for name, value in vars(module).items()
        if name.endswith("_REASON") and isinstance(value, str)
    ]
    english += [
        "Practice on something its earlier steps would make easier",
        "More practice to keep it strong",
        "Next step on your pathway, beyond your grade",
        "Filling a gap that your next steps build on",
        "Filling a gap from an earlier grade",
        "Ready for work beyond your grade",
        "Next step at your grade",
    ]
    with translation.override("es"):
        spanish = {translation.gettext(reason) for reason in english}
    assert not spanish & set(english)
    return spanish


def test_a_guardian_reads_the_report_card_in_spanish(client, school, urls) -> None:
    report = {"report": urls["report"]}
    english = _pages_in(client, school.guardian_a, report, "en")["report"]
    client.logout()
    spanish = _pages_in(client, school.guardian_a, report, "es")["report"]
    phrases, spanish_phrases = PAGES["report"]
    assert [p for p in phrases if p not in english] == []
    assert [p for p in phrases if p in spanish] == []
    assert [p for p in spanish_phrases if p not in spanish] == []


GUARDIAN_PAGES: dict[str, tuple[list[str], list[str]]] = {
    "children": (
        ["<h1>My children</h1>", "Last practice", "Working on"],
        ["Mis hijos", "Última práctica"],
    ),
    "child": (
        ["How the week went", "Goals this week", "Working on next", "How to help at home"],
        ["Cómo fue la semana", "Metas de esta semana", "Cómo ayudar en casa"],
    ),
}


def test_a_guardian_reads_their_childs_week_in_spanish(client, school) -> None:
    guardian, child = school.guardian_a, school.student_a
    pages = {
        "children": reverse("family:home"),
        "child": reverse("family:child", args=[child.pk]),
    }
    english = _pages_in(client, guardian, pages, "en")
    client.logout()
    spanish = _pages_in(client, guardian, pages, "es")
    for name, (phrases, spanish_phrases) in GUARDIAN_PAGES.items():
        assert [p for p in phrases if p not in english[name]] == [], name
        assert [p for p in phrases if p in spanish[name]] == [], name
        assert [p for p in spanish_phrases if p not in spanish[name]] == [], name
