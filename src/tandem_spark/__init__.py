"""Calibration of the learner model over a whole state's evidence, as a Spark job.

:mod:`tandem_spark.fit` is the part every executor runs: plain numpy around the engine's own
:class:`~tandem_engine.BKT`, one competency at a time, and the parameter-set document Tandem
imports (``tandem import parameters``). :mod:`tandem_spark.job` is the Spark glue (pyspark is an
optional extra: ``pip install 'tandem[spark]'``). Neither imports Django or the web layer.
"""
