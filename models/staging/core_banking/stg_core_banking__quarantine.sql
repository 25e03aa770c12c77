{{ config(tags=['quarantine', 'pii']) }}

with

parties as (
    {{ bankseg.quarantine_rows(
        'base_core_banking__parties', 'core_banking', 'parties', 'party_id', has_value_checks=true
    ) }}
),

deposit_accounts as (
    {{ bankseg.quarantine_rows(
        'base_core_banking__deposit_accounts', 'core_banking', 'deposit_accounts', 'account_id'
    ) }}
),

balances as (
    {{ bankseg.landing_quarantine_rows(
        'base_core_banking__balances', 'core_banking', 'balances', "concat_ws('|', account_id, balance_date)"
    ) }}
),

transactions as (
    {{ bankseg.landing_quarantine_rows(
        'base_core_banking__transactions', 'core_banking', 'transactions', 'transaction_id'
    ) }}
),

investment_holdings as (
    {{ bankseg.quarantine_rows(
        'base_core_banking__investment_holdings', 'core_banking', 'investment_holdings',
        "concat_ws('|', holding_id, valuation_date)"
    ) }}
),

unioned as (
    select * from parties
    union all
    select * from deposit_accounts
    union all
    select * from balances
    union all
    select * from transactions
    union all
    select * from investment_holdings
)

select * from unioned
