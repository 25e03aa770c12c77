{#-
    Value and holdings as of the as-of date, one row per customer holding or having held a product by then:
    assets under management and deposit structure at the latest month end, average month-end AUM over the
    last 3 and 12 month ends (a month end without balances counts as zero), products open on the as-of
    date by type, loan exposure and credit-card limit, balance and utilisation.
-#}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

products as (
    select * from {{ ref('int_customer_products') }}
),

balances as (
    select * from {{ ref('int_customer_balances_monthly') }}
),

loan_accounts as (
    select * from {{ ref('stg_loans__loan_accounts') }}
),

card_accounts as (
    select * from {{ ref('stg_cards__card_accounts') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
),

latest_balance_month as (
    select max(month_end_date) as month_end_date from balances
),

balance_windows as (
    select
        balances.customer_id,
        sum(case when balances.month_end_date = latest_balance_month.month_end_date then balances.aum_amount end)
            as aum_amount,
        sum(
            case when balances.month_end_date = latest_balance_month.month_end_date
                    then balances.deposit_balance_amount
            end
        ) as deposit_balance_amount,
        sum(
            case when balances.month_end_date = latest_balance_month.month_end_date
                    then balances.investment_value_amount
            end
        ) as investment_value_amount,
        sum(
            case when balances.month_end_date = latest_balance_month.month_end_date
                    then balances.current_balance_amount
            end
        ) as current_balance_amount,
        sum(
            case when balances.month_end_date = latest_balance_month.month_end_date
                    then balances.savings_balance_amount
            end
        ) as savings_balance_amount,
        sum(
            case when balances.month_end_date = latest_balance_month.month_end_date
                    then balances.time_deposit_balance_amount
            end
        ) as time_deposit_balance_amount,
        sum(
            case
                when {{ dbt.date_trunc('month', 'balances.month_end_date') }}
                    > {{ dbt.dateadd('month', -3, dbt.date_trunc('month', 'latest_balance_month.month_end_date')) }}
                    then balances.aum_amount
                else 0
            end
        ) / 3 as average_aum_3m_amount,
        sum(
            case
                when {{ dbt.date_trunc('month', 'balances.month_end_date') }}
                    > {{ dbt.dateadd('month', -12, dbt.date_trunc('month', 'latest_balance_month.month_end_date')) }}
                    then balances.aum_amount
                else 0
            end
        ) / 12 as average_aum_12m_amount
    from balances
    cross join latest_balance_month
    group by balances.customer_id
),

open_products as (
    select
        products.customer_id,
        count(*) as open_product_count,
        count(distinct products.product_type) as open_product_type_count,
        sum(case when products.product_type = 'current' then 1 else 0 end) as current_account_count,
        sum(case when products.product_type = 'savings' then 1 else 0 end) as savings_account_count,
        sum(case when products.product_type = 'time_deposit' then 1 else 0 end) as time_deposit_count,
        sum(case when products.product_family = 'investment' then 1 else 0 end) as investment_holding_count,
        sum(case when products.product_family = 'loan' then 1 else 0 end) as loan_count,
        sum(case when products.product_family = 'card' then 1 else 0 end) as credit_card_count,
        max(products.product_risk_rating) as highest_product_risk_rating
    from products
    cross join as_of_dates
    where
        products.open_date <= as_of_dates.as_of_date
        and (products.close_date is null or products.close_date > as_of_dates.as_of_date)
    group by products.customer_id
),

product_dates as (
    select
        products.customer_id,
        min(products.open_date) as first_product_open_date,
        max(products.close_date) as last_product_close_date
    from products
    cross join as_of_dates
    where products.open_date <= as_of_dates.as_of_date
    group by products.customer_id
),

loans as (
    select
        products.customer_id,
        sum(loan_accounts.outstanding_balance_amount * fx_rates.rate_to_reporting) as loan_outstanding_amount,
        max(case when loan_accounts.status in ('delinquent', 'default') then 1 else 0 end) = 1 as has_delinquent_loan
    from loan_accounts
    inner join products on products.product_family = 'loan' and loan_accounts.loan_id = products.product_key
    inner join fx_rates on loan_accounts.currency = fx_rates.currency
    cross join as_of_dates
    where
        loan_accounts.disbursement_date <= as_of_dates.as_of_date
        and (products.close_date is null or products.close_date > as_of_dates.as_of_date)
    group by products.customer_id
),

cards as (
    select
        products.customer_id,
        sum(card_accounts.credit_limit_amount * fx_rates.rate_to_reporting) as card_limit_amount,
        sum(card_accounts.current_balance_amount * fx_rates.rate_to_reporting) as card_balance_amount
    from card_accounts
    inner join products on products.product_family = 'card' and card_accounts.card_account_id = products.product_key
    inner join fx_rates on card_accounts.currency = fx_rates.currency
    cross join as_of_dates
    where
        card_accounts.open_date <= as_of_dates.as_of_date
        and (card_accounts.close_date is null or card_accounts.close_date > as_of_dates.as_of_date)
    group by products.customer_id
),

-- customers who held a product on or before the as-of date (a product opened later does not leak in)
customers as (
    select distinct products.customer_id
    from products
    cross join as_of_dates
    where products.open_date <= as_of_dates.as_of_date
),

final as (
    select
        customers.customer_id,
        {{ bankseg.to_money('coalesce(balance_windows.aum_amount, 0)') }} as aum_amount,
        {{ bankseg.to_money('coalesce(balance_windows.deposit_balance_amount, 0)') }} as deposit_balance_amount,
        {{ bankseg.to_money('coalesce(balance_windows.investment_value_amount, 0)') }} as investment_value_amount,
        {{ bankseg.to_money('coalesce(balance_windows.current_balance_amount, 0)') }} as current_balance_amount,
        {{ bankseg.to_money('coalesce(balance_windows.savings_balance_amount, 0)') }} as savings_balance_amount,
        {{ bankseg.to_money('coalesce(balance_windows.time_deposit_balance_amount, 0)') }}
            as time_deposit_balance_amount,
        {{ bankseg.to_money('coalesce(balance_windows.average_aum_3m_amount, 0)') }} as average_aum_3m_amount,
        {{ bankseg.to_money('coalesce(balance_windows.average_aum_12m_amount, 0)') }} as average_aum_12m_amount,
        coalesce(open_products.open_product_count, 0) as open_product_count,
        coalesce(open_products.open_product_type_count, 0) as open_product_type_count,
        coalesce(open_products.current_account_count, 0) as current_account_count,
        coalesce(open_products.savings_account_count, 0) as savings_account_count,
        coalesce(open_products.time_deposit_count, 0) as time_deposit_count,
        coalesce(open_products.investment_holding_count, 0) as investment_holding_count,
        coalesce(open_products.loan_count, 0) as loan_count,
        coalesce(open_products.credit_card_count, 0) as credit_card_count,
        open_products.highest_product_risk_rating,
        product_dates.first_product_open_date,
        product_dates.last_product_close_date,
        {{ bankseg.to_money('coalesce(loans.loan_outstanding_amount, 0)') }} as loan_outstanding_amount,
        coalesce(loans.has_delinquent_loan, false) as has_delinquent_loan,
        {{ bankseg.to_money('coalesce(cards.card_limit_amount, 0)') }} as card_limit_amount,
        {{ bankseg.to_money('coalesce(cards.card_balance_amount, 0)') }} as card_balance_amount,
        case
            when cards.card_limit_amount > 0 then cast(cards.card_balance_amount / cards.card_limit_amount as decimal(9, 4))
        end as card_utilisation_rate
    from customers
    left join balance_windows on customers.customer_id = balance_windows.customer_id
    left join open_products on customers.customer_id = open_products.customer_id
    left join product_dates on customers.customer_id = product_dates.customer_id
    left join loans on customers.customer_id = loans.customer_id
    left join cards on customers.customer_id = cards.customer_id
)

select * from final
