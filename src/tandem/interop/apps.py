from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "tandem.interop"
    label = "interop"
    verbose_name = "Interoperability (OneRoster, CASE, QTI, xAPI)"

    def ready(self) -> None:
        # Every evidence statement is kept in the LRS as it is recorded, in the same
        # transaction; the evidence services announce each (evidence.signals).
        from tandem.evidence.signals import evidence_recorded
        from tandem.interop.xapi.mirror import mirror_on_record

        evidence_recorded.connect(mirror_on_record, dispatch_uid="interop_mirror_on_record")
