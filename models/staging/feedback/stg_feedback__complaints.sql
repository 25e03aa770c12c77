with

base as (
    select * from {{ ref('base_feedback__complaints') }}
),

final as (
    select
        complaint_id,
        party_id,
        complaint_category,
        channel,
        opened_at,
        resolved_at,
        outcome,
        is_open,
        resolution_hours,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
