"""The demo framework loads from the content pack, and the prerequisite graph stays acyclic."""

import pytest

from tandem.competencies.constants import AssociationType
from tandem.competencies.models import Association, Competency
from tandem.competencies.selectors import competency_prerequisites
from tandem.competencies.services import (
    PrerequisiteCycleError,
    association_create,
    framework_load_coherence_map,
)

pytestmark = pytest.mark.django_db


def test_coherence_map_loads_every_standard_once():
    report = framework_load_coherence_map()
    assert report.created
    assert report.competencies == 480
    assert report.prerequisites == 757
    assert report.related == 142
    assert not report.refused
    again = framework_load_coherence_map()
    assert not again.created
    assert Competency.objects.count() == 480
    grades_3_to_8 = Competency.objects.filter(grade_rank__gte=4, grade_rank__lte=9).count()
    assert grades_3_to_8 == 37 + 37 + 40 + 47 + 43 + 36


def test_prerequisites_and_substandards_are_linked():
    framework_load_coherence_map()
    ratio = Competency.objects.get(human_coding_scheme="7.RP.A.2")
    prereq_codes = {c.code for c in competency_prerequisites(ratio)}
    assert prereq_codes, "7.RP.A.2 has prerequisites in the coherence map"
    sub = Competency.objects.get(human_coding_scheme="6.EE.A.2.c")
    assert sub.parent is not None and sub.parent.code == "6.EE.A.2"
    assert Association.objects.filter(
        association_type=AssociationType.IS_CHILD_OF, origin=sub, destination=sub.parent
    ).exists()


def test_edge_closing_a_cycle_is_refused_with_the_cycle_named():
    report = framework_load_coherence_map()
    framework = report.framework
    edge = (
        Association.objects.filter(association_type=AssociationType.IS_PREREQUISITE_OF)
        .select_related("origin", "destination")
        .first()
    )
    assert edge is not None
    with pytest.raises(PrerequisiteCycleError) as error:
        association_create(
            framework=framework,
            origin=edge.destination,
            destination=edge.origin,
            association_type=AssociationType.IS_PREREQUISITE_OF,
        )
    assert error.value.cycle[0] == edge.destination.code
    assert error.value.cycle[-1] == edge.destination.code
    assert edge.origin.code in str(error.value)
    with pytest.raises(PrerequisiteCycleError):
        association_create(
            framework=framework,
            origin=edge.origin,
            destination=edge.origin,
            association_type=AssociationType.IS_PREREQUISITE_OF,
        )


def test_edge_that_keeps_the_graph_acyclic_is_accepted():
    report = framework_load_coherence_map()
    a = Competency.objects.get(human_coding_scheme="K.CC.A.1")
    b = Competency.objects.get(human_coding_scheme="8.EE.A.1")
    association = association_create(
        framework=report.framework,
        origin=a,
        destination=b,
        association_type=AssociationType.IS_PREREQUISITE_OF,
    )
    assert association.pk
