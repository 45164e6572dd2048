"""Provider returns are partitioned by reporting period ('2016-17 Q1'), one folder each under raw/returns/."""

import dagster as dg

from opcc.core.periods import partition_periods

period_partitions = dg.StaticPartitionsDefinition(partition_periods())
