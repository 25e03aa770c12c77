with

base as (
    select * from {{ ref('base_feedback__respondents') }}
),

final as (
    select
        respondent_id,
        full_name_hash,
        match_name_hash,
        phone_hash,
        email_hash,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
