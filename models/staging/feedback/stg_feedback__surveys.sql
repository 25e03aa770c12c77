with

base as (
    select * from {{ ref('base_feedback__surveys') }}
),

final as (
    select
        survey_response_id,
        respondent_id,
        survey_type,
        survey_date,
        score,
        nps_category,
        channel,
        topic,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
