"""Forms of the project pages: proposing, reviewing, handing in work, scoring a rubric, and adding
a library template. They check input and say what is wrong; the services hold the rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.competencies.models import Competency
from tandem.forms import IdempotentForm, short_text
from tandem.projects.constants import (
    LEVEL_LABELS,
    MAX_POINTS,
    MIN_POINTS,
    TEXT_MAX,
    TITLE_MAX,
    UPLOAD_ALLOWED_WORDS,
    UPLOAD_MAX_BYTES,
    ReviewDecision,
)
from tandem.projects.models import Milestone, RubricCriterion
from tandem.projects.services import ProjectError, link_check
from tandem.projects.uploads import UploadRejectedError, upload_check

# Competencies offered as checkboxes: grades 3 to 8 (ranks in EDUCATION_LEVELS), where the
# practice items are; any other code can be typed.
OFFERED_GRADE_RANKS = (4, 9)


def offered_competencies() -> list[Competency]:
    low, high = OFFERED_GRADE_RANKS
    return list(Competency.objects.filter(grade_rank__gte=low, grade_rank__lte=high))


def _grade_label(grade: str) -> str:
    return gettext("Grade %(grade)s") % {"grade": grade} if grade else gettext("Other")


class CompetencyPickerMixin(forms.Form):
    """Competencies from checkboxes grouped by grade, or typed as codes."""

    competencies = forms.MultipleChoiceField(
        label=_("Competencies"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    codes = forms.CharField(
        label=_("Or type competency codes"),
        required=False,
        max_length=300,
        help_text=_("Separate codes with commas, e.g. 6.RP.A.3, 7.G.B.6."),
    )

    def setup_competencies(self, offered: Iterable[Competency], open_grade: str = "") -> None:
        """``open_grade`` (a grade label such as "6") starts open: usually the student's own."""
        self.open_grade = open_grade
        ordered = sorted(offered, key=lambda c: (c.grade_rank, c.list_order))
        self.offered = {c.code: c for c in ordered}
        self.fields["competencies"].choices = [  # type: ignore[attr-defined]
            (c.code, f"{c.code} — {short_text(c.name, 90)}") for c in ordered
        ]
        self._groups = [
            (grade, [c.code for c in group])
            for grade, group in groupby(ordered, key=lambda c: c.grade_label)
        ]

    @property
    def competency_groups(self) -> list[dict[str, Any]]:
        """Checkbox widgets grouped by grade; a group with a ticked box starts open."""
        widgets = {w.data["value"]: w for w in self["competencies"]}
        chosen = {str(v) for v in (self["competencies"].value() or [])}
        return [
            {
                "label": _grade_label(grade),
                "widgets": [widgets[code] for code in codes if code in widgets],
                "open": grade == self.open_grade or any(code in chosen for code in codes),
                "chosen": sum(1 for code in codes if code in chosen),
            }
            for grade, codes in self._groups
        ]

    def resolve_competencies(self, cleaned: dict[str, Any]) -> list[Competency]:
        chosen = [self.offered[code] for code in cleaned.get("competencies") or []]
        typed = [c.strip() for c in (cleaned.get("codes") or "").split(",") if c.strip()]
        if typed:
            query = Q()
            for code in typed:
                query |= Q(human_coding_scheme__iexact=code)
            found: dict[str, Competency] = {}
            for c in Competency.objects.filter(query).order_by("pk"):
                found.setdefault(c.human_coding_scheme.lower(), c)
            unknown = [code for code in typed if code.lower() not in found]
            if unknown:
                self.add_error(
                    "codes",
                    gettext("No competency has the code %(codes)s. Check it, e.g. 6.RP.A.3.")
                    % {"codes": ", ".join(f"“{code}”" for code in unknown)},
                )
            chosen += [found[code.lower()] for code in typed if code.lower() in found]
        return list({c.pk: c for c in chosen}.values())


class ProposeForm(IdempotentForm, CompetencyPickerMixin):
    """A proposal: from a library template (whose competencies come with it) or an own idea."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("What will you make or find out?"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    interest = forms.CharField(
        label=_("Why does it interest you?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell your teacher why this project interests you.")},
    )

    field_order = ["title", "description", "interest", "competencies", "codes"]

    def __init__(
        self,
        *args: Any,
        from_template: bool,
        offered: Iterable[Competency] = (),
        open_grade: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.from_template = from_template
        if from_template:
            # The template's competencies and rubric come with it.
            del self.fields["competencies"], self.fields["codes"]
            self.fields["description"].label = gettext("Anything you will do differently?")
        else:
            self.setup_competencies(offered, open_grade)
            self.fields["description"].required = True
            self.fields["description"].error_messages["required"] = gettext(
                "Say what you will make or find out."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.from_template:
            chosen = self.resolve_competencies(cleaned)
            if not chosen and "codes" not in self.errors:
                self.add_error("competencies", gettext("Choose at least one competency to show."))
            cleaned["resolved_competencies"] = chosen
        return cleaned


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose: approve, or ask for changes."},
    )
    feedback = forms.CharField(
        label="Feedback for the student",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you ask for changes: say what should change.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("decision") == ReviewDecision.REQUEST_CHANGES
            and not (cleaned.get("feedback") or "").strip()
        ):
            self.add_error("feedback", "Say what should change, so the student knows what to do.")
        return cleaned


class SubmissionForm(IdempotentForm):
    """Work handed in: text, a link and/or a file. A refused file leaves the rest as typed."""

    milestone = forms.ChoiceField(label=_("What is this for?"), required=False)
    text = forms.CharField(
        label=_("Write about your work"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    link = forms.CharField(
        label=_("Link to your work"),
        required=False,
        max_length=500,
        help_text=_("A web address starting with https://, e.g. a shared document or video."),
        widget=forms.URLInput,
    )
    file = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=format_lazy(
            _("{kinds}, up to {mb} MB."),
            kinds=UPLOAD_ALLOWED_WORDS,
            mb=UPLOAD_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.txt,.docx,.odt,.pptx"}
        ),
    )

    field_order = ["milestone", "text", "link", "file"]

    def __init__(self, *args: Any, milestones: Sequence[Milestone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.milestones = {str(m.pk): m for m in milestones}
        self.fields["milestone"].choices = [  # type: ignore[attr-defined]
            ("", gettext("My final work (hand the project in)")),
            *(
                (str(m.pk), gettext("Milestone: %(title)s") % {"title": m.title})
                for m in milestones
            ),
        ]

    def clean_milestone(self) -> Milestone | None:
        value = self.cleaned_data.get("milestone") or ""
        return self.milestones.get(value)

    def clean_link(self) -> str:
        try:
            return link_check(self.cleaned_data.get("link") or "")
        except ProjectError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_file(self) -> UploadedFile[bytes] | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        try:
            upload_check(name=upload.name or "", size=upload.size or 0, stream=upload)
        except UploadRejectedError as error:
            raise forms.ValidationError(str(error)) from None
        return upload  # type: ignore[no-any-return]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not (
            (cleaned.get("text") or "").strip() or cleaned.get("link") or cleaned.get("file")
        ):
            self.add_error("text", gettext("Write something, add a link or attach a file."))
        return cleaned


class ScoreForm(IdempotentForm):
    """One radio group per rubric row, the level descriptors as labels.

    The first scoring needs every row; later a teacher may rescore only some rows, so nothing
    is preselected and an untouched row records nothing.
    """

    feedback = forms.CharField(
        label="Feedback for the student",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, criteria: Sequence[RubricCriterion], first: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.first = first
        self.criteria = list(criteria)
        for criterion in self.criteria:
            levels = sorted(criterion.levels.all(), key=lambda lv: -lv.points)
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                choices=[(lv.pk, f"{lv.points} · {lv.label}: {lv.descriptor}") for lv in levels],
                coerce=int,
                required=first,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose a level for “{criterion.title}”."},
            )

    @property
    def criterion_fields(self) -> list[tuple[RubricCriterion, forms.BoundField]]:
        return [(c, self[f"criterion_{c.pk}"]) for c in self.criteria]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = {
            c.pk: cleaned[f"criterion_{c.pk}"]
            for c in self.criteria
            if cleaned.get(f"criterion_{c.pk}") not in (None, "")
        }
        if not chosen and not self.errors:
            raise forms.ValidationError("Choose a level for at least one rubric row.")
        cleaned["levels"] = chosen
        return cleaned


# ---------- the library ----------


class TemplateForm(CompetencyPickerMixin):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    summary = forms.CharField(
        label="Summary", max_length=300, help_text="One sentence students see in the library."
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    interest_tags = forms.CharField(
        label="Interest tags",
        required=False,
        max_length=200,
        help_text="Words students filter by, separated by commas, e.g. sports, money.",
    )
    published = forms.BooleanField(label="Show it to students now", required=False, initial=True)

    field_order = ["title", "summary", "description", "interest_tags", "competencies", "codes"]

    def __init__(self, *args: Any, offered: Iterable[Competency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_competencies(offered)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = self.resolve_competencies(cleaned)
        if not chosen and "codes" not in self.errors:
            self.add_error("competencies", "Choose at least one competency the project shows.")
        cleaned["resolved_competencies"] = chosen
        cleaned["tags"] = [t.strip() for t in (cleaned.get("interest_tags") or "").split(",")]
        return cleaned


class CriterionForm(forms.Form):
    """One rubric row: what is judged, the competency it is evidence for, four descriptors."""

    title = forms.CharField(label="Row title", max_length=TITLE_MAX)
    code = forms.CharField(
        label="Competency code",
        required=False,
        max_length=50,
        help_text="Which competency this row is evidence for; empty: all the project's.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for points in range(MAX_POINTS, MIN_POINTS - 1, -1):
            self.fields[f"level_{points}"] = forms.CharField(
                label=f"{points} · {LEVEL_LABELS[points]}",
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"Describe what “{LEVEL_LABELS[points]}” looks like."},
            )

    @property
    def level_fields(self) -> list[forms.BoundField]:
        return [self[f"level_{p}"] for p in range(MAX_POINTS, MIN_POINTS - 1, -1)]

    def clean_code(self) -> Competency | None:
        code = (self.cleaned_data.get("code") or "").strip()
        if not code:
            return None
        competency = (
            Competency.objects.filter(human_coding_scheme__iexact=code).order_by("pk").first()
        )
        if competency is None:
            raise forms.ValidationError(f"No competency has the code “{code}”.")
        return competency


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Milestone", max_length=TITLE_MAX)
    days_after_start = forms.IntegerField(
        label="Due after (days)", min_value=0, max_value=365, initial=7
    )


CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=3, min_num=1, validate_min=True, max_num=8, validate_max=True
)
MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=8, validate_max=True)
