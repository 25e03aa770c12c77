with

base as (
    select * from {{ ref('base_crm__campaigns') }}
),

final as (
    select
        campaign_id,
        campaign_name,
        objective,
        product_code,
        target_segment,
        channel,
        start_date,
        end_date,
        cost_per_contact_amount,
        currency,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
