-- Annual targets (optional). A row names its contract by contract_id, by contract_ref (the
-- reference the commissioner's register prints) or by initiative (its name, compared ignoring case
-- and punctuation); a name that matches no contract, or several, leaves contract_id null and says
-- why in not_matched_because. A target is read only when it reads one way as a number of zero or more
-- ('185', '1,250', '29.7'): '1,2,3', '-68', '1e400' or '29.7%' leave annual_target null (the target is not
-- used: 'no target') and the targets suite names the file, row and column as a warning.
-- A financial_year that is not one ('2016/17', '2016-18') is null beside its printed text, and the
-- refresh stops naming its row: a target for no year would silently never be compared.
with source as (
    select * from {{ source('reference', 'targets') }}
),

contracts as (
    select * from {{ source('framework', 'contracts') }}
),

renamed as (
    select
        nullif(trim(contract_id), '') as contract_id_printed,
        nullif(trim(contract_ref), '') as contract_ref,
        nullif(trim(initiative), '') as initiative,
        {{ nullif_blank('financial_year') }} as financial_year_printed,
        {{ parse_financial_year('financial_year') }} as financial_year,
        upper({{ nullif_blank('indicator_code') }}) as indicator_code,
        trim(annual_target) as annual_target_printed,
        case
            when regexp_full_match(trim(annual_target), '(\d{1,3}(,\d{3}){0,4}|\d{1,15})(\.\d{1,6})?')
                then try_cast(replace(trim(annual_target), ',', '') as double)
        end as annual_target,
        _source_file as source_file,
        _source_row as source_row
    from source
),

registry as (
    select
        trim(contract_id) as contract_id,
        nullif(trim(contract_ref), '') as contract_ref,
        {{ conform_key('initiative_name') }} as initiative_key
    from contracts
),

by_reference as (
    select
        renamed.source_file,
        renamed.source_row,
        count(distinct registry.contract_id) as matches,
        any_value(registry.contract_id) as contract_id
    from renamed
    inner join registry
        on renamed.contract_ref in (registry.contract_ref, registry.contract_id)
    where renamed.contract_id_printed is null and renamed.contract_ref is not null
    group by all
),

by_initiative as (
    select
        renamed.source_file,
        renamed.source_row,
        count(distinct registry.contract_id) as matches,
        any_value(registry.contract_id) as contract_id
    from renamed
    inner join registry
        on registry.initiative_key = {{ conform_key('renamed.initiative') }}
    where renamed.contract_id_printed is null and renamed.contract_ref is null and renamed.initiative is not null
    group by all
)

select
    coalesce(
        renamed.contract_id_printed,
        case when by_reference.matches = 1 then by_reference.contract_id end,
        case when by_initiative.matches = 1 then by_initiative.contract_id end
    ) as contract_id,
    renamed.contract_ref,
    renamed.initiative,
    renamed.financial_year_printed,
    renamed.financial_year,
    renamed.indicator_code,
    renamed.annual_target_printed,
    renamed.annual_target,
    case
        when renamed.contract_id_printed is not null then null
        when renamed.contract_ref is not null and by_reference.matches is null
            then 'contract_ref ''' || renamed.contract_ref || ''' is no contract of the register'
        when renamed.contract_ref is not null and by_reference.matches > 1
            then 'contract_ref ''' || renamed.contract_ref || ''' names ' || by_reference.matches || ' contracts'
        when renamed.initiative is not null and by_initiative.matches is null
            then 'initiative ''' || renamed.initiative || ''' is no contract of the register'
        when renamed.initiative is not null and by_initiative.matches > 1
            then 'initiative ''' || renamed.initiative || ''' names ' || by_initiative.matches || ' contracts: give contract_ref'
        when renamed.contract_ref is null and renamed.initiative is null then 'no contract_id, contract_ref or initiative'
    end as not_matched_because,
    renamed.source_file,
    renamed.source_row
from renamed
left join by_reference
    on by_reference.source_file = renamed.source_file
    and by_reference.source_row = renamed.source_row
left join by_initiative
    on by_initiative.source_file = renamed.source_file
    and by_initiative.source_row = renamed.source_row
