with

base as (
    select * from {{ ref('base_kyc__subjects') }}
),

final as (
    select
        subject_id,
        full_name_hash,
        match_name_hash,
        national_id_hash,
        has_valid_national_id,
        phone_hash,
        birth_date,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
