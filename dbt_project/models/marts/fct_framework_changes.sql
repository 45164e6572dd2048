-- What changed from each published framework version to the next of the same commissioner and
-- funding stream (a victims grant register is never compared with the framework): lines
-- added, removed, re-valued, and attributes printed differently. `is_spelling_only` separates a
-- reprint (a slash or a letter more) from a real change.
with lines as (
    select * from {{ ref('int_framework_lines') }}
),

versions as (
    select * from {{ ref('dim_framework_version') }}
    where status != 'held back'
),

pairs as (
    select
        commissioner_code,
        funding_stream,
        lag(framework_version) over (
            partition by commissioner_code, funding_stream order by financial_year, version_number
        ) as from_version,
        framework_version as to_version
    from versions
    qualify from_version is not null
),

old_lines as (
    select
        pairs.from_version as pair_from,
        pairs.to_version as pair_to,
        pairs.funding_stream as pair_stream,
        lines.*
    from pairs
    inner join lines
        on lines.commissioner_code = pairs.commissioner_code
        and lines.framework_version = pairs.from_version
),

new_lines as (
    select
        pairs.from_version as pair_from,
        pairs.to_version as pair_to,
        pairs.funding_stream as pair_stream,
        lines.*
    from pairs
    inner join lines
        on lines.commissioner_code = pairs.commissioner_code
        and lines.framework_version = pairs.to_version
),

compared as (
    select
        coalesce(new.commissioner_code, old.commissioner_code) as commissioner_code,
        coalesce(new.pair_stream, old.pair_stream) as funding_stream,
        coalesce(new.pair_from, old.pair_from) as from_version,
        coalesce(new.pair_to, old.pair_to) as to_version,
        coalesce(new.contract_id, old.contract_id) as contract_id,
        coalesce(new.initiative_name, old.initiative_name) as initiative_name,
        old.contract_id is not null as in_from,
        new.contract_id is not null as in_to,
        old.attributes_from_registry or new.attributes_from_registry as either_from_registry,
        old.allocated_gbp as from_gbp,
        new.allocated_gbp as to_gbp,
        [
            {
                'field': 'initiative',
                'old': old.initiative_printed,
                'new': new.initiative_printed,
                'old_c': old.initiative_printed,
                'new_c': new.initiative_printed
            },
            {
                'field': 'strategic_theme',
                'old': old.theme_printed,
                'new': new.theme_printed,
                'old_c': old.theme_code,
                'new_c': new.theme_code
            },
            {
                'field': 'provider',
                'old': old.provider_printed,
                'new': new.provider_printed,
                'old_c': old.provider,
                'new_c': new.provider
            },
            {
                'field': 'funding_mechanism',
                'old': old.mechanism_printed,
                'new': new.mechanism_printed,
                'old_c': old.mechanism_code,
                'new_c': new.mechanism_code
            },
            {
                'field': 'primary_priority',
                'old': old.primary_priority_printed,
                'new': new.primary_priority_printed,
                'old_c': old.primary_priority_printed,
                'new_c': new.primary_priority_printed
            },
            {
                'field': 'secondary_priority',
                'old': old.secondary_priority_printed,
                'new': new.secondary_priority_printed,
                'old_c': old.secondary_priority_printed,
                'new_c': new.secondary_priority_printed
            },
            {
                'field': 'geographical_reach',
                'old': old.reach_printed,
                'new': new.reach_printed,
                'old_c': old.geographical_reach,
                'new_c': new.geographical_reach
            }
        ] as fields
    from old_lines as old
    full outer join new_lines as new
        on new.pair_from = old.pair_from
        and new.pair_to = old.pair_to
        and new.contract_id = old.contract_id
),

line_changes as (
    select
        commissioner_code,
        funding_stream,
        from_version,
        to_version,
        contract_id,
        initiative_name,
        case when not in_from then 'added' when not in_to then 'removed' else 'value_changed' end as change_type,
        'allocated_gbp' as field,
        cast(from_gbp as varchar) as from_value,
        cast(to_gbp as varchar) as to_value,
        from_gbp,
        to_gbp,
        coalesce(to_gbp, 0) - coalesce(from_gbp, 0) as change_gbp,
        false as is_spelling_only
    from compared
    where not in_from or not in_to or from_gbp != to_gbp
),

attribute_changes as (
    select
        commissioner_code,
        funding_stream,
        from_version,
        to_version,
        contract_id,
        initiative_name,
        'attribute_changed' as change_type,
        field,
        old as from_value,
        new as to_value,
        from_gbp,
        to_gbp,
        0 as change_gbp,
        replace({{ conform_key('old_c') }}, ' ', '') = replace({{ conform_key('new_c') }}, ' ', '') as is_spelling_only
    from (
        select
            * exclude (fields),
            unnest(fields, recursive := true)  -- noqa: AL03
        from compared
        where in_from and in_to
    ) as unchanged_lines
    -- A table that prints only a name and a cost has no other cell to change.
    where (field = 'initiative' or not either_from_registry)
        and {{ conform_key('old') }} != {{ conform_key('new') }}
)

select * from line_changes
union all
select * from attribute_changes
