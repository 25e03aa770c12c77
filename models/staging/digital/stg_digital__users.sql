with

base as (
    select * from {{ ref('base_digital__users') }}
),

final as (
    select
        user_id,
        login_id_hash,
        full_name_hash,
        match_name_hash,
        phone_hash,
        email_hash,
        registered_at,
        status,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
