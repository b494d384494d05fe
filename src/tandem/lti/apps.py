from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "tandem.lti"
    label = "lti"
    verbose_name = "LTI 1.3 (launch from the LMS)"

    def ready(self) -> None:
        # A change of learner state anywhere (practice, xAPI, observations) may move a grade.
        from django.db.models.signals import post_save

        from tandem.lti.tasks import passback_on_state_saved
        from tandem.mastery.models import LearnerState

        post_save.connect(
            passback_on_state_saved, sender=LearnerState, dispatch_uid="lti_passback_on_state"
        )
