{#-
    Helpers for the quarantine pattern every base model follows:
      raw row -> typed columns + _row_fingerprint + _is_exact_duplicate + _quarantine_reason + _original_values
    The stg_ model keeps rows that are neither duplicates nor quarantined; the system's quarantine model
    keeps the quarantined ones with their reason and original values; reconciliation tests prove that
    raw = accepted + quarantined + removed duplicates.
    The four largest landing tables differ (doc large_base_table): their base model is a table with the landing
    position (_landing_file, _landing_row) instead of fingerprint and original values, and the quarantine model
    fetches those for the rejected rows from the landing files (landing_quarantine_rows).
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
{#- alias none: unqualified column names. -#}
{% macro row_to_json(alias, columns) %}
    {{ return(adapter.dispatch('row_to_json', 'bankseg')(alias, columns)) }}
{% endmacro %}

{% macro default__row_to_json(alias, columns) -%}
    to_json(named_struct(
    {%- for c in columns %}'{{ c }}', {{ alias ~ '.' if alias }}{{ c }}{{ ', ' if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}

{% macro duckdb__row_to_json(alias, columns) -%}
    cast(to_json({
    {%- for c in columns %}'{{ c }}': {{ alias ~ '.' if alias }}{{ c }}{{ ', ' if not loop.last }}{% endfor -%}
    }) as varchar)
{%- endmacro %}

{#- A fingerprint of every raw column: equal fingerprints are exact duplicates. -#}
{% macro row_fingerprint(alias, columns) -%}
    {{ dbt.hash(dbt.concat(bankseg.fingerprint_parts(alias, columns))) }}
{%- endmacro %}

{% macro fingerprint_parts(alias, columns) %}
    {%- set parts = [] -%}
    {%- for c in columns -%}
        {%- do parts.append("coalesce(cast(" ~ (alias ~ "." if alias else "") ~ c ~ " as " ~ dbt.type_string() ~ "), '\\x00')") -%}
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

{#-
    The opening of a base model over a large landing table: every raw row with its landing position (the file it
    came from and its row number there), a row key that costs nothing to compute. The base table keeps the
    position instead of fingerprint and original values; landing_quarantine_rows joins the rejected rows back to
    the landing files by it. Unit test fixtures give the two position columns themselves. `where`: the file filter
    of an incremental run (landing_increment's raw_filter).
-#}
{% macro landing_rows(source_name, table_name, where='') -%}
    select
        raw_source.*,
        {{ bankseg.landing_position('raw_source') }}
    from {{ source(source_name, table_name) }} as raw_source
    {{ where }}
{%- endmacro %}

{#-
    A non-cryptographic 64-bit hash of one or more expressions (nulls included: equal inputs, equal hash), for
    grouping and joining where equality is re-checked on the values afterwards. Not for fingerprints or PII.
-#}
{% macro fast_hash(expressions) %}
    {{ return(adapter.dispatch('fast_hash', 'bankseg')(expressions)) }}
{% endmacro %}

{% macro default__fast_hash(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__fast_hash(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}

{#-
    Written between a CTE's name and its body (`raw as {{ bankseg.inline_cte() }} (...)`): DuckDB materialises a
    CTE that is referenced more than once, which for the landing scan of a large table means holding (and, at
    1M customers, spilling) the whole wide table; scanning the Parquet files again per reference, with only the
    columns each reference reads, is cheaper. At 100k customers the stg_ table over account transactions took
    10.5 s instead of 15.4 s and peaked at 1.3 GB instead of 2.7 GB, with the same rows (docs/bench.md).
    Other engines get nothing: Spark SQL has no such keyword and plans CTEs on its own.
-#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'bankseg')()) }}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}

{% macro default__inline_cte() -%}
{%- endmacro %}

{% macro landing_position(alias) %}
    {{ return(adapter.dispatch('landing_position', 'bankseg')(alias)) }}
{% endmacro %}

{#- DuckDB's multi-file reader exposes both as virtual columns of the Parquet scan. -#}
{% macro default__landing_position(alias) -%}
    {{ alias }}.filename as _landing_file,
        {{ alias }}.file_row_number as _landing_row
{%- endmacro %}

{#-
    Spark: the file metadata column of a Parquet scan, its path and the row's index in the file. Unlike
    monotonically_increasing_id(), which depends on how a scan splits the files into partitions, the row index is
    the same in every scan of the same file, which the quarantine's join back to the landing files needs.
-#}
{% macro spark__landing_position(alias) -%}
    {{ alias }}._metadata.file_path as _landing_file,
        {{ alias }}._metadata.row_index as _landing_row
{%- endmacro %}

{#- The quarantine test of quarantine_reasons as a boolean: true when any check holds. -#}
{% macro is_rejected(checks) -%}
    coalesce(
    {%- for check in checks %}
        ({{ check[1] }}){{ ' or' if not loop.last }}
    {%- endfor %}
    , false)
{%- endmacro %}

{#- Flags all but one row of each group of identical raw rows. -#}
{#- order_by: which copy is kept; the default leaves the choice to the engine, which is fine where the copies are
    indistinguishable in the model's output (a view's accepted rows), not where each keeps its landing position. -#}
{% macro duplicate_flag(order_by='_row_fingerprint') -%}
    row_number() over (partition by _row_fingerprint order by {{ order_by }}) > 1
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
        case when _quarantine_reason is not null then 'row' else 'value' end as quarantine_scope,
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

{#- The rows of a table in the quarantine models' shape (a system's small-feeds table, in its quarantine view). -#}
{% macro quarantine_table_rows(model_name) -%}
    select
        source_system,
        source_table,
        source_record_key,
        row_fingerprint,
        quarantine_scope,
        quarantine_reason,
        original_values
    from {{ ref(model_name) }}
{%- endmacro %}

{#-
    quarantine_rows for the largest landing tables, whose base model is a table without raw columns (doc
    large_base_table): their rejected rows (scope 'row'; these tables have no value checks), as kept with key, reason,
    fingerprint and original values by the model `<base_model>_rejected` (macro rejected_landing_rows). A plain
    read, no join: the system's quarantine model is a view over these and a table of its other feeds (doc
    quarantine_view). The reconciliation test of the stg_ model counts the quarantined rows against the landing table.
-#}
{% macro landing_quarantine_rows(base_model, source_system, source_table) -%}
    select
        '{{ source_system }}' as source_system,
        '{{ source_table }}' as source_table,
        source_record_key,
        row_fingerprint,
        'row' as quarantine_scope,
        quarantine_reason,
        original_values
    from {{ ref(base_model ~ '_rejected') }}
{%- endmacro %}

{#-
    The whole model `<base_model>_rejected` (doc rejected_landing_rows): the rejected rows of a large base table with
    their record key and reason (from the base table) and their fingerprint and original values (read from the landing
    files by position). Incremental on the landing position:
      - a rejected position it does not hold yet is read from its landing file (a daily run: the new file's);
      - a held position whose reason changed (an orphan posting that also has a negative amount, whose account
        arrived) gets the new reason and keeps its stored fingerprint and values, without a landing read;
      - the post-hook deletes the positions the base table no longer rejects (an orphan whose account arrived and had
        no other fault, a removed file).
    The positions to write are computed once, into a temporary table (landing_increment's increment_scratch_table).
-#}
{% macro rejected_landing_rows(base_model, source_system, source_table, key_expression) -%}
    {{ bankseg.landing_position_incremental_config([
        "delete from {{ this }} where not exists (select 1 from {{ ref('" ~ base_model ~ "') }} as base"
        ~ " where base._is_rejected and not base._is_exact_duplicate"
        ~ " and base._landing_file = {{ this }}._landing_file and base._landing_row = {{ this }}._landing_row)",
        "drop table if exists {{ bankseg.increment_scratch_table(this).relation }}",
    ]) }}
    {%- set columns = bankseg.source_columns(source_system, source_table) -%}
    {%- set rejected -%}
        select
            base._landing_file,
            base._landing_row,
            cast({{ key_expression }} as {{ dbt.type_string() }}) as source_record_key,
            base._quarantine_reason as quarantine_reason
        from {{ ref(base_model) }} as base
        where base._is_rejected and not base._is_exact_duplicate
    {%- endset -%}
    {%- set incremental = execute and is_incremental() -%}
    {%- if incremental -%}
        {%- set scratch = bankseg.increment_scratch_table(this) -%}
        {%- do run_query(
            'create or replace temporary table ' ~ scratch.identifier ~ ' as select rejected.*,'
            ~ ' loaded._landing_file is null as _is_new from (' ~ rejected ~ ') as rejected'
            ~ ' left join ' ~ this ~ ' as loaded on loaded._landing_file = rejected._landing_file'
            ~ ' and loaded._landing_row = rejected._landing_row'
            ~ ' where loaded._landing_file is null or loaded.quarantine_reason != rejected.quarantine_reason'
        ) -%}
        {%- set files = run_query(
            'select distinct _landing_file from ' ~ scratch.relation ~ ' where _is_new order by 1'
        ).columns[0].values() | list -%}
        {%- set counts = run_query(
            'select count(*) filter (where _is_new), count(*) filter (where not _is_new) from ' ~ scratch.relation
        ).rows[0] -%}
        {{ log(this ~ ': ' ~ counts[0] ~ ' new rejected position(s) from ' ~ files | length ~ ' landing file(s), '
            ~ counts[1] ~ ' with a changed reason', info=true) }}
    {%- endif %}
with

rejected as (
    {%- if incremental %}
    select * from {{ scratch.relation }}
    {%- else %}
    {{ rejected }}
    {%- endif %}
),

landing as (
    {{ bankseg.landing_rows(
        source_system, source_table,
        where=('where ' ~ bankseg.in_list('raw_source.filename', files)) if incremental else ''
    ) }}
),

read_rows as (
    select
        rejected._landing_file,
        rejected._landing_row,
        rejected.source_record_key,
        rejected.quarantine_reason,
        {{ bankseg.row_fingerprint('landing', columns) }} as row_fingerprint,
        {{ bankseg.row_to_json('landing', columns) }} as original_values
    from rejected
    inner join landing
        on rejected._landing_file = landing._landing_file and rejected._landing_row = landing._landing_row
    {%- if incremental %}
    where rejected._is_new
    {%- endif %}
),

{%- if incremental %}

-- held rows whose reason changed: their fingerprint and original values depend on the landing row alone
kept_rows as (
    select
        rejected._landing_file,
        rejected._landing_row,
        rejected.source_record_key,
        rejected.quarantine_reason,
        loaded.row_fingerprint,
        loaded.original_values
    from rejected
    inner join {{ this }} as loaded
        on rejected._landing_file = loaded._landing_file and rejected._landing_row = loaded._landing_row
    where not rejected._is_new
),
{%- endif %}

final as (
    select * from read_rows
    {%- if incremental %}
    union all
    select * from kept_rows
    {%- endif %}
)

select * from final
{%- endmacro %}

{#-
    The de-duplication flags of a large landing table without a window over the whole wide table: CTEs
    `repeated_keys` (hashes of the keys carried by more than one raw row: the only rows a flag can be set on, a few
    percent; grouped by a 64-bit hash of the key, not its text: at 1M customers, grouping 64M transaction ids as
    text spilled 24 GB and the stg_ table took 489 s, by hash 101 s with no spill, same rows (docs/bench.md). A hash
    collision only adds rows that the windows below, partitioned by the key itself, leave unflagged),
    `repeated_rows` (those rows, narrow: position, keys, extract time, fingerprint) and `repeat_flags`, which gives
    per landing position the flags every base model computes:
      - _is_exact_duplicate: all but the first landed of identical raw rows (bankseg.duplicate_flag());
      - _is_duplicate_key: among the other rows of a key, all but the latest extract (ties: lowest fingerprint).
    The model joins `repeat_flags` back on (_landing_file, _landing_row); a row not in it has neither flag.
    Needs the `raw` CTE of bankseg.landing_rows. keys: [[name, expression over raw], ...].
-#}
{% macro repeat_flag_ctes(columns, keys) -%}
{%- set key_hash = bankseg.fast_hash(keys | map(attribute=1) | list) -%}
repeated_keys as (
    select {{ key_hash }} as _key_hash
    from raw
    group by {{ key_hash }}
    having count(*) > 1
),

repeated_rows as (
    select
        raw._landing_file,
        raw._landing_row,
        {%- for key in keys %}
        {{ key[1] }} as {{ key[0] }},
        {%- endfor %}
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at,
        {{ bankseg.row_fingerprint('raw', columns) }} as _row_fingerprint
    from raw
    inner join repeated_keys
        on {{ key_hash }} = repeated_keys._key_hash
),

repeated_exact as (
    select
        repeated_rows.*,
        -- the first landed copy is kept, so the base table (which keeps each row's landing position) is the same on
        -- every run and engine
        {{ bankseg.duplicate_flag('_landing_file, _landing_row') }} as _is_exact_duplicate
    from repeated_rows
),

repeat_flags as (
    select
        _landing_file,
        _landing_row,
        _is_exact_duplicate,
        row_number() over (
            partition by _is_exact_duplicate, {% for key in keys %}{{ key[0] }}{{ ', ' if not loop.last }}{% endfor %}
            order by extracted_at desc nulls last, _row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from repeated_exact
)
{%- endmacro %}
