"""Uploaded files go to the data directory, or to an S3-compatible bucket for a district with
several app servers; imports read a stored file whichever storage holds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from tandem.config import Options
from tandem.interop.tasks import stored_file_on_disk


def _options(**extra: str) -> Options:
    return Options(
        data_dir=Path("/tmp"),
        database_url="sqlite://",
        secret_key="x",
        debug=False,
        allowed_hosts=[],
        **extra,  # type: ignore[arg-type]
    )


def test_files_stay_in_the_data_directory_by_default():
    assert _options().file_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_keeps_files_private_and_links_signed():
    storage = _options(
        s3_bucket="district-uploads", s3_endpoint_url="https://minio.district.example"
    ).file_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "district-uploads",
        "endpoint_url": "https://minio.district.example",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }


class _Bucket(Storage):
    """A storage with no local paths, as a bucket is."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def _save(self, name: str, content) -> str:  # type: ignore[no-untyped-def]
        self.files[name] = content.read()
        return name

    def _open(self, name: str, mode: str = "rb"):  # type: ignore[no-untyped-def]
        return ContentFile(self.files[name], name=name)

    def exists(self, name: str) -> bool:
        return name in self.files


@pytest.mark.django_db
def test_an_import_reads_a_bundle_from_storage_without_local_paths(tmp_path):
    from tandem.interop.models import OneRosterImportRun

    bucket = _Bucket()
    field = OneRosterImportRun._meta.get_field("bundle")
    run = OneRosterImportRun()
    stored = field.attr_class(run, field, "bundle.zip")
    stored.storage = bucket
    bucket.files["bundle.zip"] = b"PK\x05\x06" + b"\x00" * 18
    with stored_file_on_disk(stored) as path:
        assert path.suffix == ".zip"
        assert path.read_bytes() == bucket.files["bundle.zip"]
    assert not path.exists()
    local = tmp_path / "local.zip"
    local.write_bytes(b"x")
    from django.core.files.storage import FileSystemStorage

    on_disk = field.attr_class(run, field, "local.zip")
    on_disk.storage = FileSystemStorage(location=tmp_path)
    with stored_file_on_disk(on_disk) as path:
        assert path == local
