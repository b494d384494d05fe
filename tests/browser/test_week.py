"""One week of Tandem in a real browser, from the student's goals to the teacher's evidence.

The student takes the diagnostic (stopping part-way and resuming), which seeds their learner
state; sets two goals, practises, looks at their pathway and proposes a library project;
the teacher approves it; the student marks a milestone done and hands in work; the teacher
scores the rubric, holds a check-in (private note, an observation, a next step) and records an
observation on the student page. Three strong pieces of evidence about one competency of the
pathway (rubric, check-in, observation, each twice as loud as one answer) take it to mastery,
so the student's pathway shows that step done; the next step agreed in the check-in shows on
the student's goals page, and the private note on none of the student's pages.

Each part of the week is its own helper, in the order of the week, so the test reads as the
story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.factories import PASSWORD, make_school

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.goals.models import WeeklyGoal
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.placement.models import DiagnosticQuestion
from tandem.practice.models import Attempt
from tandem.projects.library import LIBRARY
from tandem.projects.services import project_library_seed
from tandem.roster.models import SchoolClass, User

PRACTICE_ITEMS = 3
PROJECT_KEY = "skate-park"
PROJECT = next(entry for entry in LIBRARY if entry.key == PROJECT_KEY)
# A grade-6 standard on the student's pathway that the skate-park rubric scores; the check-in
# and the teacher's observation are about it too.
OBSERVED = "6.G.A.1"
HABIT = "Practice 15 minutes every day"
NEXT_STEP = "Write the pitch to the town council"
PRIVATE_NOTE = "Said the week at home was hard; keep an eye on it (private)."
WORK = "My plan has a bowl, two ramps and a ledge; the total area is 840 square feet."


@dataclass(frozen=True)
class WeekSchool:
    student: User
    teacher: User
    school_class: SchoolClass
    observed: Competency


@pytest.fixture
def week_school(transactional_db: None) -> WeekSchool:
    school = make_school()  # loads the Common Core framework with its prerequisites
    project_library_seed()
    return WeekSchool(
        student=school.student_a,
        teacher=school.teacher_a,
        school_class=school.class_a,
        observed=Competency.objects.get(human_coding_scheme=OBSERVED),
    )


# ---------- plumbing ----------


def new_page(browser: Browser, live_server: LiveServer) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Page, user: User) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account__name")).to_have_text(user.display_name)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def messages(page: Page) -> Locator:
    return page.locator("#messages")


def section(page: Page, heading: str | re.Pattern[str]) -> Locator:
    """The <section> a heading names (sections here are labelled by their heading)."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading)).first


def p_mastery(student: User, competency: Competency) -> float | None:
    """The learner model's estimate now, or None while there is no evidence about it."""
    state = LearnerState.objects.filter(student=student, competency=competency).first()
    return state.p_mastery if state is not None else None


def p_mastery_moved(student: User, competency: Competency, before: float | None) -> bool:
    """Whether the estimate rose from ``before``; from no evidence, the baseline is the prior
    the first piece of evidence started from (its state change's ``p_before``)."""
    state = LearnerState.objects.get(student=student, competency=competency)
    baseline = before if before is not None else state.changes.order_by("at", "pk")[0].p_before
    return state.p_mastery > baseline


# ---------- the student's week ----------


def set_week_goals(page: Page, competency: Competency) -> None:
    """My goals: a competency goal and a habit for this week."""
    nav(page, "My goals")
    expect(page.get_by_role("heading", name="My goals", level=1)).to_be_visible()

    page.get_by_label("A competency").check()
    page.get_by_label("Competency", exact=True).select_option(str(competency.pk))
    page.get_by_role("button", name="Add goal").click()
    expect(messages(page)).to_contain_text("Goal added")

    page.get_by_label("A habit").check()
    page.get_by_label("My goal, in a few words").fill(HABIT)
    page.get_by_role("button", name="Add goal").click()
    expect(messages(page)).to_contain_text("Goal added")

    goals = section(page, re.compile(r"^This week.s goals$")).locator("li.goal")
    expect(goals).to_have_count(2)
    expect(goals.filter(has_text=competency.code)).to_contain_text("A competency")
    expect(goals.filter(has_text=HABIT)).to_contain_text("A habit")


def answer_current_item(page: Page, student: User) -> str:
    """Answer the item on screen correctly, reading its answer from the open attempt."""
    attempt = (
        Attempt.objects.filter(student=student, answered_at__isnull=True)
        .select_related("item", "competency")
        .latest("presented_at")
    )
    item = attempt.item
    if item.kind in ("single_choice", "multiple_choice"):
        for value in sorted(str(v) for v in item.answer):
            page.locator(f"#choice-{value}").check()
    else:
        page.get_by_label("Your answer").fill(str(item.answer[0]))
    page.get_by_role("button", name="Check my answer").click()
    expect(page.get_by_role("heading", name=re.compile("Correct"))).to_be_visible()
    return str(attempt.competency.human_coding_scheme)


def practise(page: Page, student: User, items: int) -> list[str]:
    nav(page, "Practice")
    practised = []
    for _ in range(items):
        expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
        practised.append(answer_current_item(page, student))
        page.get_by_role("link", name="Next item").click()
    return practised


@dataclass(frozen=True)
class PathwayReading:
    done: int
    total: int
    step_status: str  # the status of the observed competency's step, in words
    step_text: str  # the whole step as read, e.g. "Step 4: ◐ In progress · Practicing"


def read_pathway(page: Page, code: str) -> PathwayReading:
    """My pathway: the done count and the step of competency ``code``."""
    nav(page, "My pathway")
    expect(page.get_by_role("heading", name="My pathway", level=1)).to_be_visible()
    facts = page.locator(".pathway-facts").inner_text()
    counted = re.search(r"(\d+) of (\d+) done", facts)
    assert counted, facts
    # The step whose own badge is the code (other steps may name it under "Needs first").
    step = page.locator("li.step").filter(
        has=page.locator(".step__what .badge").get_by_text(code, exact=True)
    )
    expect(step).to_have_count(1)
    return PathwayReading(
        done=int(counted[1]),
        total=int(counted[2]),
        step_status=step.locator(".step__status strong").inner_text(),
        step_text=" ".join(step.locator(".step__status").inner_text().split()),
    )


def propose_library_project(page: Page) -> None:
    nav(page, "Projects")
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    idea = page.get_by_role("article", name=PROJECT.title)
    idea.get_by_role("link", name=re.compile(r"^See the rubric and start")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Start “{PROJECT.title}”")
    expect(page.get_by_label("Title", exact=True)).to_have_value(PROJECT.title)
    page.get_by_label("Why does it interest you?").fill("I skate every weekend at the old lot.")
    page.get_by_role("button", name="Send to my teacher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT.title)
    expect(messages(page)).to_contain_text("Proposal sent")
    expect(page.get_by_text("Waiting for your teacher to approve it")).to_be_visible()


def work_on_project(page: Page) -> None:
    """The approved project: a milestone done, then the final work handed in as text."""
    nav(page, "Projects")
    section(page, "My projects").get_by_role("link", name=PROJECT.title).click()
    expect(page.get_by_text("Approved: you can start working")).to_be_visible()

    first_milestone = PROJECT.milestones[0][0]
    milestones = section(page, re.compile(r"^Milestones"))
    milestones.get_by_role("listitem").filter(has_text=first_milestone).get_by_role(
        "button", name=re.compile(r"^Mark done")
    ).click()
    expect(messages(page)).to_contain_text(f"Done: “{first_milestone}”")
    total = len(PROJECT.milestones)
    expect(page.get_by_role("heading", name="Milestones")).to_contain_text(f"1 of {total} done")

    hand_in = page.get_by_role("form", name="Hand in work")
    hand_in.get_by_label("What is this for?").select_option(
        label="My final work (hand the project in)"
    )
    hand_in.get_by_label("Write about your work").fill(WORK)
    hand_in.get_by_role("button", name="Hand in").click()
    expect(messages(page)).to_contain_text("Handed in")
    expect(page.get_by_text("Handed in: waiting for your teacher's scores")).to_be_visible()
    expect(section(page, "Work handed in")).to_contain_text(WORK)


# ---------- the teacher's week ----------


def approve_proposal(page: Page, student: User) -> None:
    nav(page, "Projects")
    proposals = section(page, re.compile(r"^Proposals to review"))
    row = proposals.get_by_role("row").filter(has_text=student.display_name)
    row.get_by_role("link", name=PROJECT.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT.title)
    page.get_by_label("Approve the project").check()
    page.get_by_label("Feedback for the student").fill("Go for it: measure the lot first.")
    page.get_by_role("button", name="Send the decision").click()
    expect(messages(page)).to_contain_text(f"Approved: {student.display_name} can start")


def score_rubric(page: Page, student: User, code: str) -> None:
    """Every row scored: Exemplary for the observed competency's row, Proficient elsewhere."""
    nav(page, "Projects")
    to_score = section(page, re.compile(r"^Handed in, to score"))
    to_score.get_by_role("row").filter(has_text=student.display_name).get_by_role(
        "link", name=PROJECT.title
    ).click()
    form = page.get_by_role("form", name="Score the rubric")
    rows = form.get_by_role("group")
    expect(rows).to_have_count(len(PROJECT.criteria))
    for criterion in PROJECT.criteria:
        row = rows.filter(has=page.locator("legend", has_text=criterion.title))
        level = "4 · Exemplary" if criterion.code == code else "3 · Proficient"
        row.get_by_role("radio", name=re.compile(f"^{re.escape(level)}:")).check()
    form.get_by_label("Feedback for the student").fill("Clear plan; the areas are right.")
    form.get_by_role("button", name="Record the scores").click()
    expect(messages(page)).to_contain_text(f"Scores recorded for {student.display_name}")
    expect(messages(page)).to_contain_text(code)


def hold_check_in(page: Page, student: User, competency: Competency) -> None:
    """Who to see → the student → record: a private note, an observation, a next step."""
    nav(page, "Who to see")
    page.get_by_role("link", name=student.display_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check-ins: {student.display_name}")
    page.get_by_role("link", name="Record a check-in", exact=True).click()

    page.get_by_role("textbox", name=re.compile(r"^Notes")).fill(PRIVATE_NOTE)
    observation = page.get_by_role("group", name="Observation 1")
    observation.get_by_label("Competency", exact=True).select_option(str(competency.pk))
    observation.get_by_label("Understanding").select_option(label="Showed understanding")
    step = page.get_by_role("group", name="Next step 1")
    step.get_by_label("Kind of goal").select_option(label="A project milestone")
    step.get_by_label("Next step", exact=True).fill(NEXT_STEP)
    page.get_by_role("button", name="Record check-in").click()

    expect(messages(page)).to_contain_text(f"Check-in with {student.display_name} recorded.")
    expect(messages(page)).to_contain_text(f"{competency.code}:")
    expect(messages(page)).to_contain_text("1 next step added")
    held = section(page, "Check-ins held")
    expect(held).to_contain_text(PRIVATE_NOTE)  # the teacher reads it; the student never does
    expect(held).to_contain_text(NEXT_STEP)


def record_observation(page: Page, school: WeekSchool) -> None:
    """My classes → the class → the student page, form "Record an observation"."""
    nav(page, "My classes")
    page.get_by_role("link", name=school.school_class.title, exact=True).click()
    grid_row = page.get_by_role("rowheader").filter(has_text=school.student.display_name)
    grid_row.get_by_role("link", name=school.student.display_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school.student.display_name)

    form = page.get_by_role("form", name="Record an observation")
    form.get_by_label("Competency", exact=True).select_option(school.observed.code)
    form.get_by_label("Showed understanding in conversation").check()
    form.get_by_label("Note").fill("Found the area of the bowl by splitting it into triangles.")
    form.get_by_role("button", name="Record observation").click()
    expect(messages(page)).to_contain_text(
        f"Observation recorded: {school.student.display_name} showed understanding of "
        f"{school.observed.code}."
    )


def take_diagnostic(page: Page, student: User) -> int:
    """Start the diagnostic, stop after a few questions, resume and finish it; answering like a
    student who knows grades 3-5 and not yet grade 6 and above. Returns the questions asked."""
    nav(page, "Diagnostic")
    page.get_by_role("button", name="Start the diagnostic").click()
    asked = 0
    while True:
        if asked == 3:  # stop for now, and come back later
            page.get_by_role("button", name="Stop for now").click()
            nav(page, "Diagnostic")
            page.get_by_role("button", name="Resume the diagnostic").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("Diagnostic|Where the diagnostic placed you")
        )
        if page.get_by_role("heading", name="Where the diagnostic placed you").count():
            return asked
        question = DiagnosticQuestion.objects.select_related("item", "competency").get(
            session__student=student, answered_at__isnull=True
        )
        item, knows = question.item, question.competency.grade_rank <= 5
        if item.kind in ("single_choice", "multiple_choice"):
            right = {str(v) for v in item.answer}
            values = [str(i) for i in range(len(item.choices))]
            picks = sorted(right) if knows else [next(v for v in values if v not in right)]
            for value in picks:
                page.locator(f"#choice-{value}").check()
        else:
            page.get_by_label("Your answer").fill(str(item.answer[0]) if knows else "999999")
        page.get_by_role("button", name="Save and go on").click()
        asked += 1
        assert asked <= 40, "the diagnostic did not stop"


# ---------- the week ----------


def test_a_week_of_goals_practice_project_and_check_in(
    browser: Browser, live_server: LiveServer, week_school: WeekSchool
) -> None:
    student, teacher, observed = week_school.student, week_school.teacher, week_school.observed

    # Monday: the student sets goals, practises and looks at the plan, then proposes a project.
    page = new_page(browser, live_server)
    sign_in(page, student)
    asked = take_diagnostic(page, student)
    assert 5 <= asked <= 30, asked
    placed = Statement.objects.get(actor=student, source=Source.DIAGNOSTIC, result_success=None)
    assert Statement.objects.filter(actor=student, source=Source.DIAGNOSTIC).count() == asked + 1
    seeded = LearnerState.objects.filter(student=student, changes__statement=placed)
    # Mastered at once where it did not ask; where it asked and the answer was right, probably
    # mastered until an answer on a later day.
    assert seeded.exists() and all(
        s.status == (Status.PROBABLY_MASTERED if s.n_attempts else Status.MASTERED) for s in seeded
    )
    assert not seeded.filter(competency=observed).exists()
    set_week_goals(page, observed)
    practise(page, student, PRACTICE_ITEMS)
    before = read_pathway(page, observed.code)
    assert before.step_status != "Done", before  # else the evidence below could not show
    scored = [Competency.objects.get(human_coding_scheme=c.code) for c in PROJECT.criteria]
    p_before = {c.code: p_mastery(student, c) for c in scored}
    propose_library_project(page)
    sign_out(page)

    # The teacher approves the proposal.
    teacher_page = new_page(browser, live_server)
    sign_in(teacher_page, teacher)
    approve_proposal(teacher_page, student)

    # The student works on the project.
    sign_in(page, student)
    work_on_project(page)
    sign_out(page)

    # The teacher scores the work, holds a check-in and records an observation.
    score_rubric(teacher_page, student, observed.code)
    hold_check_in(teacher_page, student, observed)
    record_observation(teacher_page, week_school)

    # The evidence is in the log and moved the learner model.
    sources = list(Statement.objects.filter(actor=student).values_list("source", flat=True))
    assert sources.count(Source.DIAGNOSTIC) == asked + 1
    assert sources.count(Source.PRACTICE) == PRACTICE_ITEMS
    assert sources.count(Source.PROJECT) == len(PROJECT.criteria)
    assert sources.count(Source.CHECK_IN) == 1
    assert sources.count(Source.OBSERVATION) == 1
    for competency in scored:  # every row was scored Proficient or better: a success
        assert p_mastery_moved(student, competency, p_before[competency.code]), competency.code
    state = LearnerState.objects.get(student=student, competency=observed)
    assert state.status == Status.MASTERED, (p_before, state.p_mastery, state.n_attempts)

    # The teacher's student page lists the new evidence, newest first.
    expect(
        teacher_page.get_by_text(re.compile(r"^Diagnostic placement: finished"))
    ).to_contain_text(f"after {asked} questions")
    timeline = teacher_page.locator("ol.timeline > li")
    expect(timeline.nth(0)).to_contain_text("Teacher observation")
    expect(timeline.nth(0)).to_contain_text(observed.code)
    expect(timeline.nth(1)).to_contain_text("Check-in conversation")
    expect(timeline.nth(1)).to_contain_text(f"{observed.code}: Showed understanding")
    for n in range(2, 2 + len(PROJECT.criteria)):
        expect(timeline.nth(n)).to_contain_text("Project rubric")
        expect(timeline.nth(n)).to_contain_text(PROJECT.title)
    teacher_page.context.close()

    # The student sees it: the step is done, the agreed next step is a goal, the note is not.
    sign_in(page, student)
    after = read_pathway(page, observed.code)
    seen = [page.content()]
    assert after.step_status == "Done", after
    assert (after.done, after.total) == (before.done + 1, before.total), (before, after)

    nav(page, "My goals")
    seen.append(page.content())
    goals = section(page, re.compile(r"^This week.s goals$")).locator("li.goal")
    expect(goals).to_have_count(3)
    agreed = goals.filter(has_text=NEXT_STEP)
    expect(agreed).to_contain_text("A project milestone")
    expect(agreed).to_contain_text(f"Agreed with {teacher.display_name} in a check-in.")
    assert WeeklyGoal.objects.filter(student=student, created_by=teacher).count() == 1

    nav(page, "Projects")
    section(page, "My projects").get_by_role("link", name=PROJECT.title).click()
    expect(page.get_by_text("Scored: see your teacher's feedback")).to_be_visible()
    expect(page.locator(".rubric .scored-mark")).to_have_count(len(PROJECT.criteria))
    seen.append(page.content())
    nav(page, "My learning")
    seen.append(page.content())
    for html in seen:
        assert PRIVATE_NOTE not in html
    page.context.close()
