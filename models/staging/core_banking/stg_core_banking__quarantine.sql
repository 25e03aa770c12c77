{#- a view: its parts are tables already (doc quarantine_view) -#}
{{ config(materialized='view', tags=['quarantine', 'pii']) }}

with

small_feeds as (
    {{ bankseg.quarantine_table_rows('base_core_banking__quarantine_small_feeds') }}
),

balances as (
    {{ bankseg.landing_quarantine_rows('base_core_banking__balances', 'core_banking', 'balances') }}
),

transactions as (
    {{ bankseg.landing_quarantine_rows('base_core_banking__transactions', 'core_banking', 'transactions') }}
),

unioned as (
    select * from small_feeds
    union all
    select * from balances
    union all
    select * from transactions
)

select * from unioned
