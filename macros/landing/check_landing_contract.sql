{#-
    Before a run or build reads anything, compare every landing file with its source's documented
    columns. A missing, renamed or extra column stops the run with an error that names the file and
    the column, so a changed extract can never turn into a silent null column.
-#}
{#-
    Every source read from landing files (meta.external_location, on the source or its table), with that
    location resolved for the table: a list of {node, location}. The engines' contract checks and Spark's
    registration of the landing folders read the same list.
-#}
{% macro landing_sources() %}
    {%- set found = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- set location = node.meta.get('external_location') or node.source_meta.get('external_location') -%}
        {%- if location -%}
            {%- do found.append({
                'node': node,
                'location': location | replace('{name}', node.name) | replace('{identifier}', node.identifier),
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}

{% macro check_landing_contract() %}
    {{ return(adapter.dispatch('check_landing_contract', 'bankseg')()) }}
{% endmacro %}

{% macro default__check_landing_contract() %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__check_landing_contract() %}
    {%- if not execute or flags.WHICH not in ('run', 'build', 'test') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set landing = [] -%}
    {%- for t in bankseg.landing_sources() if t.node.columns -%}
        {%- do landing.append({
            'source': t.node.source_name ~ '.' ~ t.node.name,
            'glob': t.location,
            'columns': t.node.columns.keys() | list,
        }) -%}
    {%- endfor -%}
    {%- if landing | length == 0 -%}
        {{ return('') }}
    {%- endif -%}

    {#- 1. every landing table has at least one file -#}
    {%- set count_sql -%}
        {%- for t in landing %}
        select '{{ t.source }}' as source_table, count(*) as file_count from glob('{{ t.glob }}')
        {%- if not loop.last %} union all{% endif -%}
        {%- endfor %}
    {%- endset -%}
    {%- set missing = [] -%}
    {%- for row in run_query(count_sql).rows -%}
        {%- if row[1] == 0 -%}
            {%- for t in landing if t.source == row[0] -%}
                {%- do missing.append(row[0] ~ ' (no file matches ' ~ t.glob ~ ')') -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            'Landing data missing for ' ~ (missing | length) ~ ' source table(s): ' ~ (missing | join('; '))
            ~ '. Write the extracts (bankseg generate / bankseg import) or an empty file with the contract columns,'
            ~ ' and check BANKSEG_RAW_DIR.'
        ) }}
    {%- endif -%}

    {#- 2. every file has exactly the documented columns -#}
    {%- set schema_sql -%}
        {%- for t in landing %}
        select '{{ t.source }}' as source_table, file_name, name as column_name
        from parquet_schema('{{ t.glob }}')
        where coalesce(num_children, 0) = 0
        {%- if not loop.last %} union all{% endif -%}
        {%- endfor %}
    {%- endset -%}
    {%- set seen = {} -%}
    {%- for row in run_query(schema_sql).rows -%}
        {%- set key = row[0] ~ '|' ~ row[1] -%}
        {%- if key not in seen -%}{%- do seen.update({key: []}) -%}{%- endif -%}
        {%- do seen[key].append(row[2] | lower) -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- for key, file_columns in seen.items() -%}
        {%- set source_table, file_name = key.split('|', 1) -%}
        {%- for t in landing if t.source == source_table -%}
            {%- for c in t.columns if c | lower not in file_columns -%}
                {%- do problems.append('file ' ~ file_name ~ ' (source ' ~ source_table ~ ') lacks column "' ~ c ~ '"') -%}
            {%- endfor -%}
            {%- for c in file_columns if c not in (t.columns | map('lower') | list) -%}
                {%- do problems.append('file ' ~ file_name ~ ' (source ' ~ source_table ~ ') has undocumented column "' ~ c ~ '"') -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            'Landing files do not match the documented source columns: ' ~ (problems | join('; '))
            ~ '. Fix the extract or update the sources YAML (models/staging/<system>/_<system>__sources.yml).'
        ) }}
    {%- endif -%}
    {{ log('Landing contract checked: ' ~ (landing | length) ~ ' source tables, ' ~ (seen | length) ~ ' files.', info=true) }}
    {{ return('') }}
{% endmacro %}
