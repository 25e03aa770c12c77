{{ config(tags=['quarantine', 'pii']) }}

with

parties as (
    {{ bankseg.quarantine_rows('base_core_banking__parties', 'core_banking', 'parties', 'party_id') }}
),

unioned as (
    select * from parties
)

select * from unioned
