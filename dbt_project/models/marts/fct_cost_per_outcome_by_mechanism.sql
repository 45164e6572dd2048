-- Cost per outcome as fct_cost_per_outcome, grouped by the funding mechanism of the contracts
-- that reported the outcome (Direct, Co-commissioning, Partnership Locality Fund, PCC Grant).
{{ cost_per_outcome('mechanism_code', 'mechanism_code') }}
