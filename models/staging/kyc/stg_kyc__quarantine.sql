{{ config(tags=['quarantine', 'pii']) }}

with

subjects as (
    {{ bankseg.quarantine_rows(
        'base_kyc__subjects', 'kyc', 'subjects', 'subject_id', has_value_checks=true
    ) }}
),

assessments as (
    {{ bankseg.quarantine_rows('base_kyc__assessments', 'kyc', 'assessments', 'assessment_id') }}
),

unioned as (
    select * from subjects
    union all
    select * from assessments
)

select * from unioned
