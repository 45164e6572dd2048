-- Contracts that report one count together (register column service_group): one row per group and
-- member. A return made for the group names the group in its contract_id cell; its counts are
-- costed over the members' spend and attributed to priorities through each member's shares.
select
    service_group,
    commissioner_code,
    contract_id
from {{ ref('stg_framework__contracts') }}
where service_group is not null
