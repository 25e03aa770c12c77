{{ config(tags=['quarantine', 'pii']) }}

with

borrowers as (
    {{ bankseg.quarantine_rows(
        'base_loans__borrowers', 'loans', 'borrowers', 'borrower_id', has_value_checks=true
    ) }}
),

applications as (
    {{ bankseg.quarantine_rows('base_loans__applications', 'loans', 'applications', 'application_id') }}
),

loan_accounts as (
    {{ bankseg.quarantine_rows('base_loans__loan_accounts', 'loans', 'loan_accounts', 'loan_id') }}
),

repayments as (
    {{ bankseg.quarantine_rows('base_loans__repayments', 'loans', 'repayments', 'repayment_id') }}
),

unioned as (
    select * from borrowers
    union all
    select * from applications
    union all
    select * from loan_accounts
    union all
    select * from repayments
)

select * from unioned
