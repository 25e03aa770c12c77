{{ config(tags=['quarantine', 'pii']) }}

with

cardholders as (
    {{ bankseg.quarantine_rows(
        'base_cards__cardholders', 'cards', 'cardholders', 'cardholder_id', has_value_checks=true
    ) }}
),

card_accounts as (
    {{ bankseg.quarantine_rows('base_cards__card_accounts', 'cards', 'card_accounts', 'card_account_id') }}
),

card_transactions as (
    {{ bankseg.landing_quarantine_rows(
        'base_cards__card_transactions', 'cards', 'card_transactions', 'card_transaction_id'
    ) }}
),

unioned as (
    select * from cardholders
    union all
    select * from card_accounts
    union all
    select * from card_transactions
)

select * from unioned
