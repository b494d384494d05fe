"""What every learner model reports about one student: mastery per competency, with evidence.

These are the plain values the web layer stores and shows; no model internals leak through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol, Self, TypeVar

from tandem_engine.log import FloatArray, Response, ResponseLog

#: How many recent pieces of evidence each competency keeps, newest first.
EVIDENCE_KEPT = 5


class Evidence(NamedTuple):
    """One answer and how far it moved a competency's mastery estimate."""

    item: int
    correct: bool
    order: float
    delta: float


@dataclass(frozen=True, slots=True)
class CompetencyEstimate:
    """One competency's mastery for one student.

    ``p_mastery`` is the model's probability that the competency is mastered (BKT: the latent
    state; logistic models: predicted success on an item of average difficulty for it). ``sd``
    is its standard deviation; ``low``/``high`` bound a 90% interval where the model has one.
    ``evidence`` holds the most recent answers that moved it, newest first, with their effect;
    ``contributions`` names the model terms behind the estimate (logit units) where it has them.
    """

    skill: int
    skill_id: str
    p_mastery: float
    sd: float
    n_evidence: int
    n_correct: int
    last_order: float | None
    evidence: tuple[Evidence, ...] = ()
    low: float | None = None
    high: float | None = None
    contributions: tuple[tuple[str, float], ...] = ()


S = TypeVar("S")


class LearnerModel(Protocol[S]):
    """The interface every model offers (scikit-learn estimator contract plus online use).

    ``predict_proba`` returns a 1-D array: P(correct) for each row of the log, computed only
    from the same student's earlier rows (scikit-learn's would be two columns; one is enough).
    """

    def fit(self, log: ResponseLog) -> Self: ...

    def predict_proba(self, log: ResponseLog) -> FloatArray: ...

    def initial_state(self) -> S: ...

    def update(self, state: S, response: Response) -> S: ...

    def predict_item(self, state: S, item: int) -> float: ...

    def mastery(
        self, state: S, skills: list[int] | None = None
    ) -> tuple[CompetencyEstimate, ...]: ...


class NotFittedError(RuntimeError):
    """A model was used before ``fit``."""
