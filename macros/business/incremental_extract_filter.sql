{#-
    In an incremental run, keep only the rows extracted within var('incremental_lookback_days') days before the
    newest extract already loaded into this model (late-arriving rows are picked up); nothing in a full refresh.
-#}
{% macro incremental_extract_filter(column='extracted_at') -%}
    {%- if is_incremental() %}
        where {{ column }} >= (
            select {{ dbt.dateadd('day', -1 * var('incremental_lookback_days'), 'max(' ~ column ~ ')') }}
            from {{ this }}
        )
    {%- endif %}
{%- endmacro %}
