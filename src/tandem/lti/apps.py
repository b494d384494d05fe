from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "tandem.lti"
    label = "lti"
    verbose_name = "LTI 1.3 (launch from the LMS)"

    def ready(self) -> None:
        # A change of estimate anywhere (practice, xAPI batches, observations, voiding,
        # calibration) may move a grade; the mastery services announce each after commit.
        from tandem.lti.tasks import passback_on_states_changed
        from tandem.mastery.signals import learner_states_changed

        learner_states_changed.connect(
            passback_on_states_changed, dispatch_uid="lti_passback_on_states_changed"
        )
