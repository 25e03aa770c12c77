{#-
    Every accepted survey answer (NPS and CSAT) attached to its customer through the identity map (feedback
    respondent records), with its score, NPS category (null for CSAT) and topic.
-#}
with

surveys as (
    select * from {{ ref('stg_feedback__surveys') }}
),

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

final as (
    select
        surveys.survey_response_id,
        identity_map.customer_id,
        surveys.survey_type,
        surveys.survey_date,
        surveys.score,
        surveys.nps_category,
        coalesce(surveys.topic, 'not_recorded') as survey_topic
    from surveys
    inner join identity_map
        on
            identity_map.source_system = 'feedback'
            and surveys.respondent_id = identity_map.system_key
)

select * from final
