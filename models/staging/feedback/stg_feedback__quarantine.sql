{{ config(tags=['quarantine', 'pii']) }}

with

respondents as (
    {{ bankseg.quarantine_rows('base_feedback__respondents', 'feedback', 'respondents', 'respondent_id') }}
),

surveys as (
    {{ bankseg.quarantine_rows('base_feedback__surveys', 'feedback', 'surveys', 'survey_response_id') }}
),

complaints as (
    {{ bankseg.quarantine_rows('base_feedback__complaints', 'feedback', 'complaints', 'complaint_id') }}
),

unioned as (
    select * from respondents
    union all
    select * from surveys
    union all
    select * from complaints
)

select * from unioned
