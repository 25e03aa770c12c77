-- Amounts convert to the reporting currency through ref_fx_rates with an inner join: a currency without a
-- rate would silently lose rows, so every currency staging accepted must have one.
with

currencies as (
    select distinct currency from {{ ref('stg_core_banking__transactions') }}
    union
    select distinct currency from {{ ref('stg_core_banking__balances') }}
    union
    select distinct currency from {{ ref('stg_core_banking__investment_holdings') }}
    union
    select distinct currency from {{ ref('stg_cards__card_transactions') }}
    union
    select distinct currency from {{ ref('stg_loans__loan_accounts') }}
    union
    select distinct currency from {{ ref('stg_cards__card_accounts') }}
),

rates as (
    select currency from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
)

select currencies.currency
from currencies
left join rates on currencies.currency = rates.currency
where rates.currency is null
