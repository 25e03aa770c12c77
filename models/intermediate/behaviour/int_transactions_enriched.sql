{{
    config(
        materialized=bankseg.incremental_materialization(),
        unique_key='transaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=bankseg.incremental_post_hooks([
            "delete from {{ this }} where transaction_id not in (select transaction_id from {{ ref('stg_core_banking__transactions') }})",
        ]),
    )
}}
{#-
    Deposit-account transactions with the amount in the reporting currency and behaviour flags. The customer
    is joined downstream (int_customer_activity_monthly), not stored here, so a change in identity resolution
    never leaves stale customer ids in old increments.
    Incremental: each run re-reads the rows extracted in the last var('incremental_lookback_days') days
    before the newest extract already loaded, so late-arriving postings are picked up and a re-delivered
    posting replaces its earlier copy (delete+insert on transaction_id). A full refresh gives the same table.
    A posting that leaves staging later (a re-delivered copy was quarantined, so both copies are) is removed
    by the post-hook, as a full refresh would leave it out.
-#}
with

transactions as (
    select * from {{ ref('stg_core_banking__transactions') }}
    {{ bankseg.incremental_extract_filter('extracted_at') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
),

final as (
    select
        transactions.transaction_id,
        transactions.account_id,
        transactions.transaction_at,
        transactions.transaction_date,
        transactions.amount,
        transactions.currency,
        {{ bankseg.to_money('transactions.amount * fx_rates.rate_to_reporting') }} as reporting_amount,
        {{ bankseg.to_money('transactions.signed_amount * fx_rates.rate_to_reporting') }} as reporting_signed_amount,
        transactions.direction,
        transactions.channel,
        transactions.is_digital_channel,
        transactions.counterparty_type,
        coalesce(transactions.direction = 'credit' and transactions.counterparty_type = 'employer', false)
            as is_salary_credit,
        transactions.extracted_at,
        transactions.is_late_arriving
    from transactions
    inner join fx_rates on transactions.currency = fx_rates.currency
)

select * from final
