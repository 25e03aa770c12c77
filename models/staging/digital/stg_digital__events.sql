-- a view: its base model is already a table of every raw row (doc large_base_table)
{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_digital__events') }}
),

final as (
    select
        event_id,
        user_id,
        event_at,
        event_type,
        channel,
        device_os,
        extracted_at
    from base
    where not _is_exact_duplicate and not _is_rejected
)

select * from final
