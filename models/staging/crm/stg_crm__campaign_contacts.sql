with

base as (
    select * from {{ ref('base_crm__campaign_contacts') }}
),

final as (
    select
        campaign_contact_id,
        campaign_id,
        contact_id,
        contact_date,
        channel,
        campaign_group,
        is_control_group,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
