{{ config(tags=['quarantine', 'pii']) }}
{#- the quarantine rows of the core banking feeds other than the two large ones (doc quarantine_view) -#}
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
    select * from investment_holdings
)

select * from unioned
