{#-
    Engagement and voice as of the as-of date, one row per customer with any of them: digital banking sessions
    (logins) in the last 90 days and the last login; the latest NPS answer; complaints in the last 365 days and
    those still open on the as-of date; the latest KYC risk assessment and whether it has expired.
-#}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

digital_events as (
    select
        identity_map.customer_id,
        events.event_type,
        events.event_at,
        {{ dbt.datediff('cast(events.event_at as date)', 'as_of_dates.as_of_date', 'day') }} as days_before_as_of
    from {{ ref('stg_digital__events') }} as events
    inner join identity_map
        on identity_map.source_system = 'digital' and events.user_id = identity_map.system_key
    cross join as_of_dates
    where cast(events.event_at as date) <= as_of_dates.as_of_date
),

digital as (
    select
        customer_id,
        sum(case when event_type = 'login' and days_before_as_of < 90 then 1 else 0 end) as digital_session_count_90d,
        max(case when event_type = 'login' then event_at end) as last_login_at,
        max(event_at) as last_digital_event_at
    from digital_events
    group by customer_id
),

nps_answers as (
    select
        identity_map.customer_id,
        surveys.survey_date,
        surveys.score,
        surveys.nps_category,
        row_number() over (
            partition by identity_map.customer_id
            order by surveys.survey_date desc, surveys.survey_response_id desc
        ) as answer_rank
    from {{ ref('stg_feedback__surveys') }} as surveys
    inner join identity_map
        on identity_map.source_system = 'feedback' and surveys.respondent_id = identity_map.system_key
    cross join as_of_dates
    where surveys.survey_type = 'nps' and surveys.survey_date <= as_of_dates.as_of_date
),

complaints as (
    select
        identity_map.customer_id,
        count(*) as complaint_count_total,
        sum(
            case when {{ dbt.datediff('cast(complaints.opened_at as date)', 'as_of_dates.as_of_date', 'day') }} < 365
                    then 1
                else 0
            end
        ) as complaint_count_365d,
        sum(
            case when complaints.resolved_at is null or cast(complaints.resolved_at as date) > as_of_dates.as_of_date
                    then 1
                else 0
            end
        ) as open_complaint_count,
        max(complaints.opened_at) as last_complaint_at
    from {{ ref('stg_feedback__complaints') }} as complaints
    inner join identity_map
        on identity_map.source_system = 'core_banking' and complaints.party_id = identity_map.system_key
    cross join as_of_dates
    where cast(complaints.opened_at as date) <= as_of_dates.as_of_date
    group by identity_map.customer_id
),

kyc_assessments as (
    select
        identity_map.customer_id,
        assessments.assessment_date,
        assessments.risk_level,
        assessments.risk_level_rank,
        assessments.valid_until,
        assessments.valid_until < as_of_dates.as_of_date as is_expired,
        row_number() over (
            partition by identity_map.customer_id
            order by assessments.assessment_date desc, assessments.assessment_id desc
        ) as assessment_rank
    from {{ ref('stg_kyc__assessments') }} as assessments
    inner join identity_map
        on identity_map.source_system = 'kyc' and assessments.subject_id = identity_map.system_key
    cross join as_of_dates
    where assessments.assessment_date <= as_of_dates.as_of_date
),

customers as (
    select customer_id from digital
    union
    select customer_id from nps_answers
    union
    select customer_id from complaints
    union
    select customer_id from kyc_assessments
),

final as (
    select
        customers.customer_id,
        coalesce(digital.digital_session_count_90d, 0) as digital_session_count_90d,
        digital.last_login_at,
        digital.last_digital_event_at,
        nps_answers.score as latest_nps_score,
        nps_answers.nps_category as latest_nps_category,
        nps_answers.survey_date as latest_nps_date,
        coalesce(complaints.complaint_count_365d, 0) as complaint_count_365d,
        coalesce(complaints.open_complaint_count, 0) as open_complaint_count,
        complaints.last_complaint_at,
        kyc_assessments.risk_level as kyc_risk_level,
        kyc_assessments.risk_level_rank as kyc_risk_level_rank,
        kyc_assessments.assessment_date as kyc_assessment_date,
        kyc_assessments.valid_until as kyc_valid_until,
        kyc_assessments.is_expired as is_kyc_expired
    from customers
    left join digital on customers.customer_id = digital.customer_id
    left join nps_answers on customers.customer_id = nps_answers.customer_id and nps_answers.answer_rank = 1
    left join complaints on customers.customer_id = complaints.customer_id
    left join kyc_assessments
        on customers.customer_id = kyc_assessments.customer_id and kyc_assessments.assessment_rank = 1
)

select * from final
