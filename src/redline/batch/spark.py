"""The Spark engine: the same :class:`ShipmentScreener` on Apache Spark partitions.

The driver makes sure the name index is built (each executor then opens it from
the store folder, which must be reachable from the executors: a shared file system
or, in local mode, this machine), spreads the rows over partitions, and streams
the verdicts back in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from redline.batch.engine import BatchOptions, ShipmentScreener
from redline.goods.shipment import Shipment, Verdict
from redline.match import Screener
from redline.settings import Settings


def run_spark(
    settings: Settings,
    shipments: Iterable[Shipment],
    options: BatchOptions | None = None,
    *,
    master: str | None = None,
    partitions: int | None = None,
) -> Iterator[Verdict]:
    """Verdicts for ``shipments`` in input order, screened on Spark."""
    from pyspark.sql import SparkSession

    options = options or BatchOptions()
    Screener.open(settings)  # build the index once, on the driver
    spark = (
        SparkSession.builder.master(master or "local[*]")
        .appName("redline-batch")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
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
        spark.stop()
