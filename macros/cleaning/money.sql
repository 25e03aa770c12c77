{#- Money is a fixed-point decimal, never a float: 18 digits, 2 decimals (var money_type to change). -#}
{% macro to_money(expression) -%}
    cast(round({{ expression }}, 2) as {{ var('money_type', 'decimal(18, 2)') }})
{%- endmacro %}
