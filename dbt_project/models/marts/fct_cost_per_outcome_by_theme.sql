-- Cost per outcome as fct_cost_per_outcome, grouped by the strategic theme of the contracts
-- that reported the outcome (spend still attributed to the outcome's priority).
{{ cost_per_outcome('theme_code', 'theme_code') }}
