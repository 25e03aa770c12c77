with

base as (
    select * from {{ ref('base_crm__responses') }}
),

final as (
    select
        response_id,
        campaign_contact_id,
        response_date,
        response,
        product_code,
        product_opened_date,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
