{#- Completed years between two dates (a birthday not yet reached this year does not count). -#}
{% macro age_in_years(birth_date, on_date) %}
    {{ return(adapter.dispatch('age_in_years', 'bankseg')(birth_date, on_date)) }}
{% endmacro %}

{% macro default__age_in_years(birth_date, on_date) -%}
    cast(floor(months_between({{ on_date }}, {{ birth_date }}) / 12) as integer)
{%- endmacro %}

{% macro duckdb__age_in_years(birth_date, on_date) -%}
    cast(date_sub('year', {{ birth_date }}, {{ on_date }}) as integer)
{%- endmacro %}
