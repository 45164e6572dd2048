"""Everything Dagster: the code location (definitions), assets, resources, jobs, partitions, schedules, sensors, instance."""
