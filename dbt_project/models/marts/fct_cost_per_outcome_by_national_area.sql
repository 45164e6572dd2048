-- Cost per outcome as fct_cost_per_outcome, grouped by the national outcome area of the priority
-- each contribution is attributed to (the same rule: attributed spend / attributed counts).
{{ cost_per_outcome('national_outcome_area', 'national_outcome_area') }}
