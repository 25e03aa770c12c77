{#-
    Helpers for the quarantine pattern every base model follows:
      raw row -> typed columns + _row_fingerprint + _is_exact_duplicate + _quarantine_reason + _original_values
    The stg_ model keeps rows that are neither duplicates nor quarantined; the system's quarantine model
    keeps the quarantined ones with their reason and original values; reconciliation tests prove that
    raw = accepted + quarantined + removed duplicates.
-#}

{#- All reasons that apply, separated by '; ', or null when the row is acceptable.
    checks: list of [reason, condition] pairs, evaluated in order. -#}
{% macro quarantine_reasons(checks) -%}
    nullif(concat_ws('; '
    {%- for check in checks %},
        case when {{ check[1] }} then '{{ check[0] }}' end
    {%- endfor %}
    ), '')
{%- endmacro %}

{#- The documented columns of a source table, in YAML order. -#}
{% macro source_columns(source_name, table_name) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == source_name and node.name == table_name -%}
        {{ return(node.columns.keys() | list) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('No source ' ~ source_name ~ '.' ~ table_name) }}
{% endmacro %}

{#- The original raw values of a row as JSON text (alias = the raw table's alias in the query). -#}
{% macro row_to_json(alias, columns) %}
    {{ return(adapter.dispatch('row_to_json', 'bankseg')(alias, columns)) }}
{% endmacro %}

{% macro default__row_to_json(alias, columns) -%}
    to_json(named_struct(
    {%- for c in columns %}'{{ c }}', {{ alias }}.{{ c }}{{ ', ' if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}

{% macro duckdb__row_to_json(alias, columns) -%}
    cast(to_json({
    {%- for c in columns %}'{{ c }}': {{ alias }}.{{ c }}{{ ', ' if not loop.last }}{% endfor -%}
    }) as varchar)
{%- endmacro %}

{#- A fingerprint of every raw column: equal fingerprints are exact duplicates. -#}
{% macro row_fingerprint(alias, columns) -%}
    {{ dbt.hash(dbt.concat(bankseg.fingerprint_parts(alias, columns))) }}
{%- endmacro %}

{% macro fingerprint_parts(alias, columns) %}
    {%- set parts = [] -%}
    {%- for c in columns -%}
        {%- do parts.append("coalesce(cast(" ~ alias ~ "." ~ c ~ " as " ~ dbt.type_string() ~ "), '\\x00')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{% endmacro %}

{#-
    The standard opening of a base model: every raw row once, with its fingerprint, a duplicate flag
    (all but the first of identical rows) and its original values. Use as the first CTE:
        with raw as ({{ bankseg.raw_rows('core_banking', 'parties') }})
-#}
{% macro raw_rows(source_name, table_name) -%}
    {%- set columns = bankseg.source_columns(source_name, table_name) -%}
    select
        raw_source.*,
        {{ bankseg.row_fingerprint('raw_source', columns) }} as _row_fingerprint,
        {{ bankseg.row_to_json('raw_source', columns) }} as _original_values
    from {{ source(source_name, table_name) }} as raw_source
{%- endmacro %}

{#- Flags all but one row of each group of identical raw rows. -#}
{% macro duplicate_flag() -%}
    row_number() over (partition by _row_fingerprint order by _row_fingerprint) > 1
{%- endmacro %}

{#-
    Value checks: [reason, condition, column] triples for attributes whose bad value must not cost the bank the
    whole record (a person with an unparseable birth date still owns their accounts; rejecting the party would
    orphan every account, balance and transaction under it). A failing value is nulled in the base model's
    column (checked_value) and every failing reason is listed in `_value_issues` (value_issues); the row is
    accepted, and the system's quarantine model records it with quarantine_scope = 'value' and its original
    values, so nothing is lost silently.
-#}
{% macro value_issues(checks) -%}
    {{ bankseg.quarantine_reasons(checks) }}
{%- endmacro %}

{#- The birth-date value checks of a person master that has no onboarding date (cards, CRM, loans, KYC). -#}
{% macro birth_date_value_checks() %}
    {{ return([
        ['unparseable birth_date', bankseg.is_unparseable('birth_date_raw', 'birth_date'), 'birth_date'],
        ['implausible birth date', "birth_date < cast('" ~ var('min_birth_date') ~ "' as date)", 'birth_date'],
        ['birth date after extraction', 'birth_date > cast(extracted_at as date)', 'birth_date'],
    ]) }}
{% endmacro %}

{#- `expression` (default: the column of the same name), or null when any value check on `column` fails. -#}
{% macro checked_value(column, checks, expression=none) -%}
    {%- set conditions = [] -%}
    {%- for check in checks if check[2] == column -%}
        {%- do conditions.append('(' ~ check[1] ~ ')') -%}
    {%- endfor -%}
    {%- if not conditions -%}
        {{ exceptions.raise_compiler_error('checked_value: no value check names the column ' ~ column) }}
    {%- endif -%}
    case when {{ conditions | join(' or ') }} then null else {{ expression if expression else column }} end
{%- endmacro %}

{#-
    The quarantine rows of one base model, in the shape every quarantine model unions:
    system, table, record key, scope, reason, original values. Scope 'row': the row was rejected (every
    reason, row checks then value checks); scope 'value' (only when the base model has value checks): the row
    was accepted with the listed values nulled. One scan of the base model gives both.
-#}
{% macro quarantine_rows(base_model, source_system, source_table, key_column, has_value_checks=false) -%}
    select
        '{{ source_system }}' as source_system,
        '{{ source_table }}' as source_table,
        cast({{ key_column }} as {{ dbt.type_string() }}) as source_record_key,
        _row_fingerprint as row_fingerprint,
        case when _quarantine_reason is null then 'value' else 'row' end as quarantine_scope,
        {% if has_value_checks -%}
        concat_ws('; ', _quarantine_reason, _value_issues)
        {%- else -%}
        _quarantine_reason
        {%- endif %} as quarantine_reason,
        _original_values as original_values
    from {{ ref(base_model) }}
    where
        not _is_exact_duplicate
        and (_quarantine_reason is not null{% if has_value_checks %} or _value_issues is not null{% endif %})
{%- endmacro %}
