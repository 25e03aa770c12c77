{#-
    Parse extract text into a date or timestamp. Accepted layouts come from the vars date_formats and
    timestamp_formats; anything else (including impossible dates such as 2021-02-30) gives null, and the
    staging model quarantines the row when the raw value was not empty.
-#}
{% macro try_parse_date(expression) %}
    {{ return(adapter.dispatch('try_parse_date', 'bankseg')(expression)) }}
{% endmacro %}

{% macro default__try_parse_date(expression) -%}
    {{ dbt.safe_cast('trim(' ~ expression ~ ')', api.Column.translate_type('date')) }}
{%- endmacro %}

{% macro duckdb__try_parse_date(expression) -%}
    cast(try_strptime(trim({{ expression }}), {{ bankseg.strptime_formats(var('date_formats', ['%Y-%m-%d'])) }}) as date)
{%- endmacro %}

{% macro try_parse_timestamp(expression) %}
    {{ return(adapter.dispatch('try_parse_timestamp', 'bankseg')(expression)) }}
{% endmacro %}

{% macro default__try_parse_timestamp(expression) -%}
    {{ dbt.safe_cast('trim(' ~ expression ~ ')', api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{% macro duckdb__try_parse_timestamp(expression) -%}
    try_strptime(trim({{ expression }}), {{ bankseg.strptime_formats(var('timestamp_formats', ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S'])) }})
{%- endmacro %}

{% macro strptime_formats(formats) -%}
    [{% for f in formats %}'{{ f }}'{{ ', ' if not loop.last }}{% endfor %}]
{%- endmacro %}

{#- True when the raw text was given (not null or blank) but did not parse. -#}
{% macro is_unparseable(raw_expression, parsed_expression) -%}
    ({{ parsed_expression }} is null and nullif(trim({{ raw_expression }}), '') is not null)
{%- endmacro %}
