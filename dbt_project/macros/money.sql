{# Pounds per unit to the penny, rounded half up exactly (integer pennies over a count to 4
   decimals: DuckDB divides decimals as doubles, which can turn £41,398.45 / 2 into £20,699.22).
   The caller makes sure units > 0. #}
{% macro pounds_per_unit(spend_gbp, units) -%}
    cast(
        cast(
            (cast(round({{ spend_gbp }}, 2) * 100 as hugeint) * 20000 + cast(round({{ units }}, 4) * 10000 as hugeint))
            // (2 * cast(round({{ units }}, 4) * 10000 as hugeint))
            as decimal(18, 0)
        ) * 0.01 as decimal(14, 2)
    )
{%- endmacro %}
