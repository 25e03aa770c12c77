{{ config(materialized='view') }}
{#-
    Deposit-account transactions with the amount in the reporting currency and behaviour flags (doc enrichment_view).
-#}
with

transactions as (
    select * from {{ ref('stg_core_banking__transactions') }}
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
