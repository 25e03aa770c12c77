{#-
    Month-end balances per customer in the reporting currency: deposits by type (current, savings, time
    deposit), investments at market value, and assets under management (deposits + investments).
    Only month ends up to the as-of date are used.
-#}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

products as (
    select * from {{ ref('int_customer_products') }}
),

balances as (
    select * from {{ ref('stg_core_banking__balances') }}
),

holdings as (
    select * from {{ ref('stg_core_banking__investment_holdings') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
),

deposit_balances as (
    select
        products.customer_id,
        balances.balance_date as month_end_date,
        products.product_type,
        -- an overdrawn account (a product that allows overdrafts) holds nothing: the overdraft is not netted off
        greatest(balances.balance_amount, 0) * fx_rates.rate_to_reporting as balance_amount
    from balances
    inner join products
        on products.product_family = 'deposit' and balances.account_id = products.product_key
    inner join fx_rates on balances.currency = fx_rates.currency
    cross join as_of_dates
    where balances.balance_date <= as_of_dates.as_of_date
),

investment_values as (
    select
        products.customer_id,
        holdings.valuation_date as month_end_date,
        'investment' as product_type,
        holdings.market_value_amount * fx_rates.rate_to_reporting as balance_amount
    from holdings
    inner join products
        on products.product_family = 'investment' and holdings.holding_id = products.product_key
    inner join fx_rates on holdings.currency = fx_rates.currency
    cross join as_of_dates
    where holdings.valuation_date <= as_of_dates.as_of_date
),

all_balances as (
    select * from deposit_balances
    union all
    select * from investment_values
),

rounded as (
    select
        customer_id,
        month_end_date,
        {{ bankseg.to_money("sum(case when product_type = 'current' then balance_amount else 0 end)") }}
            as current_balance_amount,
        {{ bankseg.to_money("sum(case when product_type = 'savings' then balance_amount else 0 end)") }}
            as savings_balance_amount,
        {{ bankseg.to_money("sum(case when product_type = 'time_deposit' then balance_amount else 0 end)") }}
            as time_deposit_balance_amount,
        {{ bankseg.to_money("sum(case when product_type = 'investment' then balance_amount else 0 end)") }}
            as investment_value_amount
    from all_balances
    group by customer_id, month_end_date
),

final as (
    -- totals add the rounded parts, so AUM = deposits + investments holds to the cent
    select
        customer_id,
        month_end_date,
        current_balance_amount,
        savings_balance_amount,
        time_deposit_balance_amount,
        {{ bankseg.to_money('current_balance_amount + savings_balance_amount + time_deposit_balance_amount') }}
            as deposit_balance_amount,
        investment_value_amount,
        {{ bankseg.to_money(
            'current_balance_amount + savings_balance_amount + time_deposit_balance_amount + investment_value_amount'
        ) }} as aum_amount,
        '{{ var("reporting_currency") }}' as currency
    from rounded
)

select * from final
