"""Tandem's learner-model engine: pure, typed, numpy. No Django, no clock, no global randomness.

Models (scikit-learn estimator contract, plus online ``update``/``mastery``):
:class:`BKT`, :class:`LogisticKT`, :class:`BoostedKT`. Values: :class:`ResponseLog`,
:class:`Response`, :class:`CompetencyEstimate`. Decisions: :mod:`tandem_engine.decisions`
(mastery rule) and :mod:`tandem_engine.policy` (next item). Placement:
:mod:`tandem_engine.diagnostic` (adaptive diagnostic over a prerequisite graph). Live
P(correct) for the web layer from stored summaries: :class:`LivePredictor`. Readers:
:mod:`tandem_engine.loaders`.
"""

import importlib
from typing import TYPE_CHECKING, Any

from tandem_engine.bkt import (
    BKT,
    BKTParams,
    BKTState,
    DailyForgetting,
    bkt_step,
    fit_daily_forgetting,
    pooled_params,
    predict_correct,
)
from tandem_engine.decisions import (
    DEFAULT_RULE,
    MasteryRule,
    Status,
    is_mastered,
    mastery_status,
    needs_review,
    predicted_recall,
    simulate_mastery_decisions,
)
from tandem_engine.diagnostic import (
    DEFAULT_DIAGNOSTIC,
    DiagnosticConfig,
    DiagnosticReplay,
    DiagnosticState,
    DiagnosticStep,
    PrerequisiteGraph,
    StopReason,
    diagnostic_answer,
    diagnostic_next,
    diagnostic_posterior,
    diagnostic_replay,
    diagnostic_replay_extend,
    diagnostic_replay_start,
    diagnostic_replay_state,
    diagnostic_start,
    simulate_knowledge_states,
)
from tandem_engine.estimates import (
    CompetencyEstimate,
    Evidence,
    LearnerModel,
    NotFittedError,
)
from tandem_engine.history import HistoryState
from tandem_engine.live import LivePredictor
from tandem_engine.log import Response, ResponseLog
from tandem_engine.policy import (
    CompetencyCandidate,
    ItemCandidate,
    Pick,
    PickReason,
    PolicyConfig,
    next_item,
)
from tandem_engine.recalibration import Recalibration

if TYPE_CHECKING:
    from tandem_engine.boosted import BoostedKT
    from tandem_engine.logistic import LogisticKT
    from tandem_engine.metrics import score

# These need scikit-learn, a large import that only fitting and scoring use: they load on first
# use, so that the web server's processes (BKT updates and the policy) never import it.
_LAZY = {
    "BoostedKT": "tandem_engine.boosted",
    "LogisticKT": "tandem_engine.logistic",
    "score": "tandem_engine.metrics",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


#: Stored next to every estimate so it can be traced to the code that produced it.
ENGINE_VERSION = "0.3.0"

__all__ = [
    "BKT",
    "DEFAULT_DIAGNOSTIC",
    "DEFAULT_RULE",
    "ENGINE_VERSION",
    "BKTParams",
    "BKTState",
    "BoostedKT",
    "CompetencyCandidate",
    "CompetencyEstimate",
    "DailyForgetting",
    "DiagnosticConfig",
    "DiagnosticReplay",
    "DiagnosticState",
    "DiagnosticStep",
    "Evidence",
    "HistoryState",
    "ItemCandidate",
    "LearnerModel",
    "LivePredictor",
    "LogisticKT",
    "MasteryRule",
    "NotFittedError",
    "Pick",
    "PickReason",
    "PolicyConfig",
    "PrerequisiteGraph",
    "Recalibration",
    "Response",
    "ResponseLog",
    "Status",
    "StopReason",
    "bkt_step",
    "diagnostic_answer",
    "diagnostic_next",
    "diagnostic_posterior",
    "diagnostic_replay",
    "diagnostic_replay_extend",
    "diagnostic_replay_start",
    "diagnostic_replay_state",
    "diagnostic_start",
    "fit_daily_forgetting",
    "is_mastered",
    "mastery_status",
    "needs_review",
    "next_item",
    "pooled_params",
    "predict_correct",
    "predicted_recall",
    "score",
    "simulate_knowledge_states",
    "simulate_mastery_decisions",
]
