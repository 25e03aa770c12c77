{#-
    Incremental loading of a large base model (doc large_base_table, doc landing_increment). A base table holds one
    row per landing row, keyed by its landing position (_landing_file, _landing_row). Most of a row depends on the
    row alone, three things do not, and each is stored with the row so a later run can tell when it changed:
      - the de-duplication flags depend on every row of the same key (repeat_flag_ctes): the key group;
      - the look-up of a parent table (the accepted account of a posting, its currency, dates...): `_lookup_hash`,
        a hash of the looked-up columns as this row saw them;
      - the rules: seed tables, vars and the model's own code: `_rules_hash`, one value for the whole table.
    landing_increment decides at run time, with a few small queries, which rows an incremental run recomputes:
      - the rows of landing files not loaded yet (the new delivery);
      - every loaded row whose key occurs among the new rows or among the rows whose parent changed (the whole key
        group, so the flags are computed on complete groups), read again from its landing file.
    Everything is recomputed, as a full refresh would, when the rules changed, a loaded landing file is gone, or
    (first_extract) the new files carry an extract older than the table's first extract day. delete+insert on the
    landing position then replaces each recomputed row; the post-hook delete_gone_landing_rows removes the rows of
    files that left the landing folder. The result is the table a full refresh gives (tests/python/
    test_incremental.py compares them). A change to the model's SQL changes `_rules_hash` (the node's checksum is in
    it); a change to a macro it calls is not seen: run with --full-refresh, as for any incremental model.

    Arguments:
      keys: [[stored column, expression over `raw`], ...] as given to repeat_flag_ctes;
      lookup: none or {'sql': select of the parent, 'on': [[stored column, parent column], ...],
              'columns': [parent columns hashed into _lookup_hash]} (the model uses lookup.sql as its CTE and
              lookup_hash(alias, lookup) for the column);
      rules: seed relations the rows are coded with; settings: strings (var values) the model's own SQL depends on
             (the vars of the cleaning macros, date and timestamp formats and the money type, are always included);
      first_extract: none, or the raw extract-time column whose first day the model stores in _first_extracted_date.
    Returns a dict: partial (an incremental run that does not recompute everything), rules_hash (SQL expression),
    raw_filter, ctes (the `affected_rows` CTE, with a trailing comma, or nothing) and output_filter (for the model's
    last select). The affected positions are computed once per run into a temporary table of the model's connection
    (increment_scratch_table), which the model reads and its post-hook drops.
    On engines whose incremental materialization is a table (Spark, macros/engines/incremental.sql) this is never
    incremental.
-#}
{% macro landing_increment(source_system, source_table, keys, lookup=none, rules=[], settings=[], first_extract=none) %}
    {%- set landing = source(source_system, source_table) -%}
    {#- the vars of the cleaning macros every large base model calls (parse_dates, money), then the model's own -#}
    {%- set cleaning_vars = [
        var('date_formats', ['%Y-%m-%d']) | string,
        var('timestamp_formats', ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']) | string,
        var('money_type', 'decimal(18, 2)'),
    ] -%}
    {%- set rules_hash = bankseg.rules_hash(
        rules, cleaning_vars + settings + [model.checksum.checksum if model.checksum is defined else '']
    ) -%}
    {%- set scope = {'partial': false, 'rules_hash': rules_hash, 'raw_filter': '', 'ctes': '', 'output_filter': ''} -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(scope) }}
    {%- endif -%}
    {#- one scan of the table for the loaded files and the rules they were coded with -#}
    {%- set stored = run_query(
        'select _landing_file, min(_rules_hash) as first_rules, max(_rules_hash) as last_rules from ' ~ this
        ~ ' group by _landing_file order by _landing_file'
    ) -%}
    {%- set loaded = stored.columns[0].values() | list -%}
    {%- set stored_rules = (stored.columns[1].values() | list + stored.columns[2].values() | list) | unique | list -%}
    {%- set present = run_query('select file from glob(' ~ landing ~ ') order by 1').columns[0].values() | list -%}
    {%- set new_files = present | reject('in', loaded) | list -%}
    {%- set gone_files = loaded | reject('in', present) | list -%}
    {%- set current_rules = run_query('select ' ~ rules_hash).columns[0].values() | list -%}
    {%- set full = gone_files | length > 0 or stored_rules | length > 1
        or (stored_rules | length == 1 and stored_rules[0] != current_rules[0]) -%}
    {%- if first_extract and new_files and not full -%}
        {%- set first_day = 'cast(' ~ bankseg.try_parse_timestamp('raw.' ~ first_extract) ~ ' as date)' -%}
        {%- set earlier = run_query(
            'select coalesce(new_first is not null and (stored_first is null or new_first < stored_first), false)'
            ~ ' from (select min(' ~ first_day ~ ') as new_first from ' ~ landing ~ ' as raw'
            ~ ' where ' ~ bankseg.in_list('raw.filename', new_files) ~ ')'
            ~ ' cross join (select min(_first_extracted_date) as stored_first from ' ~ this ~ ')'
        ).columns[0].values()[0] -%}
        {%- set full = earlier -%}
    {%- endif -%}
    {%- if full -%}
        {{ log(this ~ ': every row recomputed (rules changed, a landing file gone or an earlier first extract)', info=true) }}
        {{ return(scope) }}
    {%- endif -%}

    {%- set stored_key_hash = bankseg.fast_hash(bankseg.qualified('loaded', keys | map(attribute=0))) -%}
    {%- set affected_sql -%}
with

increment_keys as (
    select {{ bankseg.fast_hash(keys | map(attribute=1) | list) }} as _key_hash
    from {{ landing }} as raw
    where {{ bankseg.in_list('raw.filename', new_files) }}
    {%- if lookup %}
    union
    select {{ stored_key_hash }} as _key_hash
    from {{ this }} as loaded
    left join ({{ lookup.sql }}) as parent
        on {% for pair in lookup.on %}loaded.{{ pair[0] }} = parent.{{ pair[1] }}{{ ' and ' if not loop.last }}{% endfor %}
    where loaded._lookup_hash != {{ bankseg.lookup_hash('parent', lookup) }}
    {%- endif %}
),

affected_rows as (
    select
        loaded._landing_file,
        loaded._landing_row
    from {{ this }} as loaded
    where {{ stored_key_hash }} in (select increment_keys._key_hash from increment_keys)
)

select * from affected_rows
    {%- endset -%}
    {#- computed once, into a temporary table the model reads and its post-hook drops (increment_scratch_table) -#}
    {%- set scratch = bankseg.increment_scratch_table(this) -%}
    {%- do run_query('create or replace temporary table ' ~ scratch.identifier ~ ' as ' ~ affected_sql) -%}
    {%- set affected_files = run_query(
        'select distinct _landing_file from ' ~ scratch.relation ~ ' order by 1'
    ).columns[0].values() | list -%}
    {%- set read_files = (new_files + affected_files) | unique | list -%}
    {{ log(this ~ ': ' ~ new_files | length ~ ' new landing file(s), '
        ~ affected_files | length ~ ' loaded file(s) read again for changed keys or parents', info=true) }}
    {%- do scope.update({
        'partial': true,
        'raw_filter': 'where ' ~ bankseg.in_list('raw_source.filename', read_files),
        'ctes': 'affected_rows as (select _landing_file, _landing_row from ' ~ scratch.relation ~ '),',
        'output_filter': 'where ' ~ bankseg.in_list('_landing_file', new_files) ~ ' or exists (select 1 from '
            ~ 'affected_rows where affected_rows._landing_file = final._landing_file'
            ~ ' and affected_rows._landing_row = final._landing_row)',
    }) -%}
    {{ return(scope) }}
{% endmacro %}

{#- The column names, each prefixed with `alias.`. -#}
{% macro qualified(alias, columns) %}
    {%- set names = [] -%}
    {%- for column in columns -%}
        {%- do names.append(alias ~ '.' ~ column) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- `expression in (literals)`, or false for an empty list (a filter DuckDB pushes into the Parquet scan). -#}
{% macro in_list(expression, values) -%}
    {%- if values -%}
        {{ expression }} in ({% for v in values %}'{{ v | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#- The hash of a row's parent look-up (landing_increment's lookup), from the parent's columns under `alias`. -#}
{% macro lookup_hash(alias, lookup) -%}
    {{ bankseg.fast_hash(bankseg.qualified(alias, lookup.columns)) }}
{%- endmacro %}

{#-
    One value that changes when a seed's content, a setting or the model's code changes: a hash of every row of each
    relation (as text, in order) and of the settings. On engines without incremental base models (Spark) a constant.
-#}
{% macro rules_hash(relations, settings) %}
    {{ return(adapter.dispatch('rules_hash', 'bankseg')(relations, settings)) }}
{% endmacro %}

{% macro default__rules_hash(relations, settings) -%}
    hash(
        {%- for relation in relations %}
        (select string_agg(cast(rules_row as varchar), '|' order by cast(rules_row as varchar))
            from {{ relation }} as rules_row),
        {%- endfor %}
        '{{ settings | join("|") | replace("'", "''") }}'
    )
{%- endmacro %}

{% macro spark__rules_hash(relations, settings) -%}
    cast(0 as bigint)
{%- endmacro %}

{#-
    Post-hook of an incremental base model: remove the rows of landing files that are no longer in the landing
    folder (landing_increment recomputes everything else in that case, as a full refresh would).
-#}
{% macro delete_gone_landing_rows(source_system, source_table) -%}
    delete from {{ this }}
    where _landing_file not in (select file from glob({{ source(source_system, source_table) }}))
{%- endmacro %}

{#-
    The scratch table of an incremental run of `relation` (landing_increment): the landing positions it recomputes,
    a temporary table named <model>__increment, so it never outlives the connection (a `dbt compile` or `dbt docs
    generate` that renders the model leaves nothing behind). dbt runs a node's compilation, its statement and its
    hooks on one connection. Returns {'identifier': for create, 'relation': DuckDB's name of it, for reads and drop}.
-#}
{% macro increment_scratch_table(relation) %}
    {%- set identifier = adapter.quote(relation.identifier ~ '__increment') -%}
    {{ return({'identifier': identifier, 'relation': 'temp.main.' ~ identifier}) }}
{% endmacro %}

{#-
    The configuration of every incremental base table (doc large_base_table), called at the top of the model:
    incremental on the landing position, the post-hook that removes the rows of landing files gone from the folder,
    and the one that drops the run's scratch table.
-#}
{% macro large_base_table_config(source_system, source_table) %}
    {{ bankseg.landing_position_incremental_config([
        "{{ bankseg.delete_gone_landing_rows('" ~ source_system ~ "', '" ~ source_table ~ "') }}",
        "drop table if exists {{ bankseg.increment_scratch_table(this).relation }}",
    ]) }}
{% endmacro %}

{#-
    Incremental on the landing position with delete+insert (a table on engines without it: macros/engines/
    incremental.sql), and post-hook statements (none on those engines): one string or a list.
-#}
{% macro landing_position_incremental_config(post_hooks) %}
    {{ config(
        materialized=bankseg.incremental_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['_landing_file', '_landing_row'],
        on_schema_change='fail',
        post_hook=bankseg.incremental_post_hooks([post_hooks] if post_hooks is string else post_hooks),
    ) }}
{% endmacro %}
