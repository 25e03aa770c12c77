{{ config(materialized='view') }}
{#-
    Credit-card purchases with their spend group (lifestyle) and amount in the reporting currency (doc
    enrichment_view).
-#}
with

card_transactions as (
    select * from {{ ref('stg_cards__card_transactions') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
),

final as (
    select
        card_transactions.card_transaction_id,
        card_transactions.card_account_id,
        card_transactions.transaction_at,
        cast(card_transactions.transaction_at as date) as transaction_date,
        card_transactions.transaction_amount,
        card_transactions.currency,
        {{ bankseg.to_money('card_transactions.transaction_amount * fx_rates.rate_to_reporting') }}
            as reporting_amount,
        card_transactions.merchant_category_code,
        card_transactions.spend_group,
        card_transactions.extracted_at
    from card_transactions
    inner join fx_rates on card_transactions.currency = fx_rates.currency
)

select * from final
