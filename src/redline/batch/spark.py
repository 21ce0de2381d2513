"""The Spark engine: the same :class:`ShipmentScreener` on Apache Spark partitions.

The driver makes sure the name index is built (each executor then opens it from
the store folder, which must be reachable from the executors: a shared file system
or, in local mode, this machine), spreads the rows over partitions, and streams
the verdicts back in input order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from redline.batch.engine import BatchOptions, ShipmentScreener
from redline.goods.shipment import Shipment, Verdict
from redline.match import Screener
from redline.settings import Settings


def spark_session(master: str | None = None) -> tuple[Any, bool]:
    """The active Spark session, else a new one on ``master``; and whether it is new.

    In local mode the Python workers run this interpreter (unless ``PYSPARK_PYTHON``
    says otherwise), so that they import the same redline as the driver.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    master = master or "local[*]"
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(master)
        .appName("redline-batch")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    return spark, True


def run_spark(
    settings: Settings,
    shipments: Iterable[Shipment],
    options: BatchOptions | None = None,
    *,
    master: str | None = None,
    partitions: int | None = None,
    index_ready: bool = False,
) -> Iterator[Verdict]:
    """Verdicts for ``shipments`` in input order, screened on Spark.

    Uses the active Spark session if there is one (``master`` is then ignored) and
    leaves it running; otherwise starts a session on ``master`` and stops it at the end.
    ``index_ready`` says the caller already opened a Screener on these settings (so the
    index of the active lists is built and saved): the driver does not load it again.
    """
    options = options or BatchOptions()
    if not index_ready:
        Screener.open(settings)  # build the index once, on the driver, for the workers
    spark, started = spark_session(master)
    try:
        context = spark.sparkContext
        rows = list(shipments)
        slices = partitions or max(2, context.defaultParallelism)
        rdd = context.parallelize(rows, numSlices=max(1, min(slices, len(rows) or 1)))

        def screen_partition(items: Iterable[Shipment]) -> Iterator[Verdict]:
            worker = ShipmentScreener(Screener.open(settings), options)
            for shipment in items:
                yield worker.verdict(shipment)

        results: Any = rdd.mapPartitions(screen_partition)
        # Partitions come back in order, and each keeps its rows' order.
        yield from results.toLocalIterator(prefetchPartitions=True)
    finally:
        if started:
            spark.stop()
