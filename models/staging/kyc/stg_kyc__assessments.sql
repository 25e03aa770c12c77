with

base as (
    select * from {{ ref('base_kyc__assessments') }}
),

final as (
    select
        assessment_id,
        subject_id,
        assessment_date,
        risk_level,
        risk_level_rank,
        investment_horizon,
        investment_experience,
        valid_until,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
