{{
    config(
        materialized=bankseg.incremental_materialization(),
        unique_key='card_transaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=bankseg.incremental_post_hooks([
            "delete from {{ this }} where card_transaction_id not in (select card_transaction_id from {{ ref('stg_cards__card_transactions') }})",
        ]),
    )
}}
{#-
    Credit-card purchases with their spend group (lifestyle) and amount in the reporting currency; the
    customer is joined downstream, as for int_transactions_enriched.
    Incremental like int_transactions_enriched: a look-back of var('incremental_lookback_days') days of
    extracts picks up late-arriving rows.
    A posting that leaves staging later (a re-delivered copy was quarantined, so both copies are) is removed
    by the post-hook, as a full refresh would leave it out.
-#}
with

card_transactions as (
    select * from {{ ref('stg_cards__card_transactions') }}
    {{ bankseg.incremental_extract_filter('extracted_at') }}
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
