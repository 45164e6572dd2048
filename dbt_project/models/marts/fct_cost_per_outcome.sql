-- Cost per outcome, per reporting period (the quarter, and the year to date), strategic priority
-- and outcome indicator: over the contracts that reported the indicator in the period, their
-- spend attributed to the priority divided by the sum of the indicator's values. Null, with the
-- reason in not_computed_because, when the outcome total is 0.
{{ cost_per_outcome('strategic_priority', 'strategic_priority') }}
