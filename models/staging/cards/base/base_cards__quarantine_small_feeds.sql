{{ config(tags=['quarantine', 'pii']) }}
{#- the quarantine rows of the card feeds other than the card transactions (doc quarantine_view) -#}
with

cardholders as (
    {{ bankseg.quarantine_rows(
        'base_cards__cardholders', 'cards', 'cardholders', 'cardholder_id', has_value_checks=true
    ) }}
),

card_accounts as (
    {{ bankseg.quarantine_rows('base_cards__card_accounts', 'cards', 'card_accounts', 'card_account_id') }}
),

unioned as (
    select * from cardholders
    union all
    select * from card_accounts
)

select * from unioned
