{#-
    Spark implementations of the project's engine-specific macros (dbt-spark; README "Engines"). Each one is the
    spark__ variant of a macro dispatched with adapter.dispatch(..., 'bankseg'); the DuckDB variants live beside
    the macro they implement and are unchanged. Spark SQL string literals treat a backslash as an escape
    character (DuckDB's do not), so regular expressions double their backslashes here.
-#}

{#- A regular expression as a Spark string literal body: backslashes doubled. -#}
{% macro spark_regex(pattern) -%}
    {{ pattern | replace('\\', '\\\\') }}
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ bankseg.spark_regex(pattern) }}', '{{ replacement }}')
{%- endmacro %}

{% macro spark__regexp_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ bankseg.spark_regex(pattern) }})$')
{%- endmacro %}

{#- Same salted SHA-256 (hex) as DuckDB's sha256(), so hashed identifiers agree across engines. -#}
{% macro spark__hash_pii(expression) -%}
    case when {{ expression }} is not null
        then sha2('{{ bankseg.pii_salt() }}|' || {{ expression }}, 256)
    end
{%- endmacro %}

{#- The words sorted, as duckdb__match_name (split on single spaces, so runs of spaces give empty words). -#}
{% macro spark__match_name(expression) -%}
    nullif(
        array_join(
            array_sort(split({{ bankseg.spark__regexp_replace_all('lower(trim(' ~ expression ~ '))', '[^a-z ]+', '') }}, ' ')),
            ''
        ),
        ''
    )
{%- endmacro %}

{% macro spark__initcap_words(expression) -%}
    array_join(
        transform(split(lower({{ expression }}), ' '), w -> upper(substr(w, 1, 1)) || substr(w, 2)),
        ' '
    )
{%- endmacro %}

{#- collect_list keeps repeats, collect_set only for `distinct x`, as string_agg does in DuckDB. -#}
{% macro spark__string_agg_sorted(expression, delimiter) -%}
    {%- if expression.startswith('distinct ') -%}
        array_join(array_sort(collect_set({{ expression | replace('distinct ', '') }})), {{ delimiter }})
    {%- else -%}
        array_join(array_sort(collect_list({{ expression }})), {{ delimiter }})
    {%- endif -%}
{%- endmacro %}

{#- The raw row as JSON with null fields kept (Spark drops them by default; DuckDB writes null). -#}
{% macro spark__row_to_json(alias, columns) -%}
    to_json(named_struct(
    {%- for c in columns %}'{{ c }}', {{ alias ~ '.' if alias }}{{ c }}{{ ', ' if not loop.last }}{% endfor -%}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- strptime layouts (the vars date_formats, timestamp_formats) as Java DateTimeFormatter patterns. -#}
{% macro spark_datetime_pattern(strptime_format) -%}
    {%- set pattern = strptime_format
        | replace('T', "\\'T\\'")
        | replace('%Y', 'yyyy') | replace('%y', 'yy') | replace('%m', 'MM') | replace('%d', 'dd')
        | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') | replace('%f', 'SSSSSS') -%}
    {{ pattern }}
{%- endmacro %}

{#- try_to_timestamp: null when the text does not match (DuckDB's try_strptime); the first layout that parses wins. -#}
{% macro spark_try_strptime(expression, formats) -%}
    coalesce(
    {%- for f in formats %}
        try_to_timestamp(trim({{ expression }}), '{{ bankseg.spark_datetime_pattern(f) }}'){{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{% macro spark__try_parse_date(expression) -%}
    cast({{ bankseg.spark_try_strptime(expression, var('date_formats', ['%Y-%m-%d'])) }} as date)
{%- endmacro %}

{% macro spark__try_parse_timestamp(expression) -%}
    {{ bankseg.spark_try_strptime(expression, var('timestamp_formats', ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S'])) }}
{%- endmacro %}

{#-
    Spark has no external locations in dbt-spark: before anything runs, register every source that has
    meta.external_location (the same Parquet folders DuckDB reads, under BANKSEG_RAW_DIR) as an unmanaged
    Parquet table <source>.<table> over its folder. Dropping such a table never deletes the files.
-#}
{% macro register_landing_sources() %}
    {{ return(adapter.dispatch('register_landing_sources', 'bankseg')()) }}
{% endmacro %}

{% macro default__register_landing_sources() %}
    {{ return('') }}
{% endmacro %}

{% macro spark__register_landing_sources() %}
    {%- if not execute or flags.WHICH not in ('run', 'build', 'test', 'compile', 'show') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set schemas = [] -%}
    {%- set count = namespace(tables=0) -%}
    {%- for t in bankseg.landing_sources() -%}
        {%- set node = t.node -%}
        {%- set folder = t.location -%}
        {%- if folder.endswith('/*.parquet') -%}{%- set folder = folder[:-10] -%}{%- endif -%}
        {%- if node.schema not in schemas -%}
            {%- do run_query('create database if not exists ' ~ node.schema) -%}
            {%- do schemas.append(node.schema) -%}
        {%- endif -%}
        {%- do run_query('drop table if exists ' ~ node.schema ~ '.' ~ node.identifier) -%}
        {%- do run_query(
            'create table ' ~ node.schema ~ '.' ~ node.identifier
            ~ " using parquet options (path '" ~ folder ~ "', mergeSchema 'true')"
        ) -%}
        {%- set count.tables = count.tables + 1 -%}
    {%- endfor -%}
    {{ log('Spark: registered ' ~ count.tables ~ ' landing tables as Parquet tables.', info=true) }}
    {{ return('') }}
{% endmacro %}


{#-
    The landing contract on Spark: the columns of each registered landing table (the union of its files' columns,
    read with mergeSchema) against the documented source columns. Coarser than DuckDB's per-file check: a column
    missing from some files but not all shows up as nulls rather than an error.
-#}
{% macro spark__check_landing_contract() %}
    {%- if not execute or flags.WHICH not in ('run', 'build', 'test') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set count = namespace(tables=0) -%}
    {%- for t in bankseg.landing_sources() if t.node.columns -%}
        {%- set node = t.node -%}
        {%- set table = node.schema ~ '.' ~ node.identifier -%}
        {%- set table_columns = [] -%}
        {%- for row in run_query('describe table ' ~ table).rows -%}
            {%- if row[0] and not row[0].startswith('#') and row[0] not in table_columns -%}
                {%- do table_columns.append(row[0] | lower) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set documented = node.columns.keys() | map('lower') | list -%}
        {%- for c in documented if c not in table_columns -%}
            {%- do problems.append('source ' ~ table ~ ' lacks column "' ~ c ~ '"') -%}
        {%- endfor -%}
        {%- for c in table_columns if c not in documented -%}
            {%- do problems.append('source ' ~ table ~ ' has undocumented column "' ~ c ~ '"') -%}
        {%- endfor -%}
        {%- set count.tables = count.tables + 1 -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            'Landing files do not match the documented source columns: ' ~ (problems | join('; '))
            ~ '. Fix the extract or update the sources YAML (models/staging/<system>/_<system>__sources.yml).'
        ) }}
    {%- endif -%}
    {{ log('Landing contract checked on Spark: ' ~ count.tables ~ ' source tables.', info=true) }}
    {{ return('') }}
{% endmacro %}
