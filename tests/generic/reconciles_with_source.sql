{#-
    Row reconciliation for one landing table: every raw row is accepted (in the staging model),
    quarantined (rejected: scope 'row' in the system's quarantine model) or removed as an exact duplicate; nothing else.
    Fails with one row showing the four counts when raw <> accepted + quarantined + duplicates.
-#}
{% test reconciles_with_source(model, source_name, table_name, quarantine_model) %}
    {%- set columns = bankseg.source_columns(source_name, table_name) -%}
    with raw_rows as (
        select count(*) as row_count from {{ source(source_name, table_name) }}
    ),

    distinct_raw_rows as (
        select count(*) as row_count
        from (
            select distinct {{ columns | join(', ') }}
            from {{ source(source_name, table_name) }}
        ) as distinct_rows
    ),

    accepted_rows as (
        select count(*) as row_count from {{ model }}
    ),

    quarantined_rows as (
        select count(*) as row_count
        from {{ quarantine_model }}
        where
            source_system = '{{ source_name }}'
            and source_table = '{{ table_name }}'
            and quarantine_scope = 'row'
    ),

    reconciled as (
        select
            raw_rows.row_count as raw_count,
            accepted_rows.row_count as accepted_count,
            quarantined_rows.row_count as quarantined_count,
            raw_rows.row_count - distinct_raw_rows.row_count as duplicate_count
        from raw_rows
        cross join distinct_raw_rows
        cross join accepted_rows
        cross join quarantined_rows
    )

    select *
    from reconciled
    where raw_count <> accepted_count + quarantined_count + duplicate_count
{% endtest %}
