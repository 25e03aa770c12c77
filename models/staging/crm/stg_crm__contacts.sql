with

base as (
    select * from {{ ref('base_crm__contacts') }}
),

final as (
    select
        contact_id,
        full_name_hash,
        match_name_hash,
        phone_hash,
        email_hash,
        birth_date,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
