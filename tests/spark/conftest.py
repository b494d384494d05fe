"""A Spark session in local mode for the whole module, or a skip (a failure under CI) saying
what is missing: pyspark (``pip install 'tandem[spark]'``) or Java 17+."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import require


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    require(
        importlib.util.find_spec("pyspark") is not None,
        "pyspark is not installed (pip install 'tandem[spark]', or make install-dev)",
    )
    require(
        shutil.which("java") is not None,
        "Java is not installed (apt-get install default-jre-headless); Spark needs Java 17+",
    )
    from tandem_spark.job import session

    spark = session("local[2]", app_name="tandem-tests")
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.shuffle.partitions", "4")  # a few competencies: few tasks
    yield spark
    spark.stop()
