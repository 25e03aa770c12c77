with

base as (
    select * from {{ ref('base_core_banking__parties') }}
),

final as (
    select
        party_id,
        full_name_hash,
        match_name_hash,
        national_id_hash,
        has_valid_national_id,
        phone_hash,
        email_hash,
        birth_date,
        gender,
        occupation,
        annual_income_amount,
        income_currency,
        marital_status,
        education_level,
        city,
        onboarding_date,
        home_branch_code,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
