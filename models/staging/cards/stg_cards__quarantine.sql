{#- a view: its parts are tables already (doc quarantine_view) -#}
{{ config(materialized='view', tags=['quarantine', 'pii']) }}

with

small_feeds as (
    {{ bankseg.quarantine_table_rows('base_cards__quarantine_small_feeds') }}
),

card_transactions as (
    {{ bankseg.landing_quarantine_rows('base_cards__card_transactions', 'cards', 'card_transactions') }}
),

unioned as (
    select * from small_feeds
    union all
    select * from card_transactions
)

select * from unioned
