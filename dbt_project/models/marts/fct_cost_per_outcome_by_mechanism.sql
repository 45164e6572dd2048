-- Cost per outcome as fct_cost_per_outcome, grouped by the funding mechanism (of the plan in force)
-- of the contracts that reported the outcome.
{{ cost_per_outcome('mechanism_code', 'mechanism_code') }}
