{#-
    Customer x month end for the var('feature_history_months') months ending with the as-of month: recency,
    frequency and monetary value, month-end balances and deposit structure, channel mix, product holding and
    lifecycle flags as of each month end. The input of segmentation and segment migration.

    The `_24m` columns describe the customer's habits over the 24 months ending with the observed month (the
    behavioural clusters read them): a customer who churned or went quiet recently still shows who they were,
    and rates are per month with account transactions, so a short or faded relationship is not mistaken for a
    low-activity one.

    Windows are calendar months: "3 months" is the observed month and the two before it (the monthly
    counterpart of the 90-day window in dim_customers). The last row of each customer is observed on the
    as-of date; balances are those of the latest month end on or before the observation date. A customer
    appears from the first month end at which it holds or has held a product.
-#}
{%- set lifecycle_args = ['days_since_last_activity', 'open_product_count', 'aum_amount', 'true'] -%}
{#- the windowed activity columns: [window, column, expression over the activity month] -#}
{%- set window_sums = [
    ['3m', 'transaction_count_3m', 'transaction_count'],
    ['3m', 'transaction_amount_3m', 'debit_amount + credit_amount'],
    ['3m', 'debit_amount_3m', 'debit_amount'],
    ['3m', 'salary_credit_amount_3m', 'salary_credit_amount'],
    ['3m', 'digital_transaction_count_3m', 'digital_transaction_count'],
    ['3m', 'card_transaction_count_3m', 'card_transaction_count'],
    ['3m', 'card_spend_amount_3m', 'card_spend_amount'],
    ['3m', 'digital_session_count_3m', 'digital_session_count'],
    ['24m', 'transaction_count_24m', 'transaction_count'],
    ['24m', 'active_month_count_24m', 'case when transaction_count > 0 then 1 else 0 end'],
    ['24m', 'digital_transaction_count_24m', 'digital_transaction_count'],
    ['24m', 'branch_transaction_count_24m', 'branch_transaction_count'],
    ['24m', 'credit_amount_24m', 'credit_amount'],
    ['24m', 'salary_credit_amount_24m', 'salary_credit_amount'],
] -%}
with

month_ends as (
    select * from {{ ref('int_month_ends') }}
),

products as (
    select * from {{ ref('int_customer_products') }}
),

activity as (
    select * from {{ ref('int_customer_activity_monthly') }}
),

balances as (
    select * from {{ ref('int_customer_balances_monthly') }}
),

first_products as (
    select
        customer_id,
        min(open_date) as first_product_open_date
    from products
    group by customer_id
),

customer_months as (
    select
        first_products.customer_id,
        month_ends.month_start_date,
        month_ends.month_end_date,
        month_ends.is_as_of_month
    from first_products
    inner join month_ends on first_products.first_product_open_date <= month_ends.month_end_date
),

balance_dates as (
    select distinct month_end_date from balances
),

balance_month_ends as (
    -- the latest balance month end on or before each observation date
    select
        month_ends.month_end_date,
        max(balance_dates.month_end_date) as balance_date
    from month_ends
    inner join balance_dates
        on month_ends.month_end_date >= balance_dates.month_end_date
    group by month_ends.month_end_date
),

open_products as (
    select
        customer_months.customer_id,
        customer_months.month_end_date,
        count(*) as open_product_count,
        sum(case when products.product_family = 'deposit' then 1 else 0 end) as deposit_account_count,
        sum(case when products.product_family = 'investment' then 1 else 0 end) as investment_holding_count,
        sum(case when products.product_family = 'loan' then 1 else 0 end) as loan_count,
        sum(case when products.product_family = 'card' then 1 else 0 end) as credit_card_count
    from customer_months
    inner join products
        on
            customer_months.customer_id = products.customer_id
            and customer_months.month_end_date >= products.open_date
            and (products.close_date is null or customer_months.month_end_date < products.close_date)
    group by customer_months.customer_id, customer_months.month_end_date
),

-- the peak balance of each customer and calendar month (one row per month even if a bank delivers balances more often)
month_balances as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'month_end_date') }} as date) as month_start_date,
        max(aum_amount) as aum_amount
    from balances
    group by customer_id, cast({{ dbt.date_trunc('month', 'month_end_date') }} as date)
),

-- one row per customer and month with activity, a month-end balance or an observation (a customer month): the 3-
-- and 24-month windows, the 24-month peak balance and the last activity date are window aggregates over each
-- customer's months in order; RANGE frames count calendar months by their index, so a month without a row needs
-- none. (Joining each customer month with every earlier activity month instead fed about 18 rows per customer
-- month to an aggregate over 12M groups at 1M customers, which spilled: docs/bench.md.)
monthly_rows as (
    select
        coalesce(customer_months.customer_id, activity.customer_id, month_balances.customer_id) as customer_id,
        coalesce(customer_months.month_start_date, activity.month_start_date, month_balances.month_start_date)
            as month_start_date,
        customer_months.month_end_date,
        activity.last_activity_date,
        activity.transaction_count,
        activity.debit_amount,
        activity.credit_amount,
        activity.salary_credit_amount,
        activity.digital_transaction_count,
        activity.branch_transaction_count,
        activity.card_transaction_count,
        activity.card_spend_amount,
        activity.digital_session_count,
        month_balances.aum_amount
    from customer_months
    full outer join activity
        on
            customer_months.customer_id = activity.customer_id
            and customer_months.month_start_date = activity.month_start_date
    full outer join month_balances
        on
            coalesce(customer_months.customer_id, activity.customer_id) = month_balances.customer_id
            and coalesce(customer_months.month_start_date, activity.month_start_date) = month_balances.month_start_date
),

indexed_rows as (
    select
        monthly_rows.*,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'month_start_date', 'month') }} as month_index
    from monthly_rows
),

month_windows as (
    select
        customer_id,
        month_end_date,
        {% for window, name, expression in window_sums -%}
            sum({{ expression }}) over months_{{ window }} as {{ name }},
        {% endfor -%}
        transaction_count as transaction_count_1m,
        max(aum_amount) over months_24m as max_aum_24m_amount,
        max(last_activity_date) over months_all as last_activity_date
    from indexed_rows
    window
        months_3m as (partition by customer_id order by month_index range between 2 preceding and current row),
        months_24m as (partition by customer_id order by month_index range between 23 preceding and current row),
        months_all as (partition by customer_id order by month_index rows between unbounded preceding and current row)
),

assembled as (
    select
        customer_months.customer_id,
        customer_months.month_end_date,
        customer_months.is_as_of_month,
        balance_month_ends.balance_date,
        month_windows.last_activity_date,
        {{ dbt.datediff('month_windows.last_activity_date', 'customer_months.month_end_date', 'day') }}
            as days_since_last_activity,
        coalesce(month_windows.transaction_count_1m, 0) as transaction_count_1m,
        coalesce(month_windows.transaction_count_3m, 0) as transaction_count_3m,
        coalesce(month_windows.transaction_amount_3m, 0) as transaction_amount_3m,
        coalesce(month_windows.debit_amount_3m, 0) as debit_amount_3m,
        coalesce(month_windows.salary_credit_amount_3m, 0) as salary_credit_amount_3m,
        coalesce(month_windows.digital_transaction_count_3m, 0) as digital_transaction_count_3m,
        coalesce(month_windows.card_transaction_count_3m, 0) as card_transaction_count_3m,
        coalesce(month_windows.card_spend_amount_3m, 0) as card_spend_amount_3m,
        coalesce(month_windows.digital_session_count_3m, 0) as digital_session_count_3m,
        coalesce(month_windows.transaction_count_24m, 0) as transaction_count_24m,
        coalesce(month_windows.active_month_count_24m, 0) as active_month_count_24m,
        coalesce(month_windows.digital_transaction_count_24m, 0) as digital_transaction_count_24m,
        coalesce(month_windows.branch_transaction_count_24m, 0) as branch_transaction_count_24m,
        coalesce(month_windows.credit_amount_24m, 0) as credit_amount_24m,
        coalesce(month_windows.salary_credit_amount_24m, 0) as salary_credit_amount_24m,
        month_windows.max_aum_24m_amount,
        coalesce(balances.aum_amount, 0) as aum_amount,
        coalesce(balances.deposit_balance_amount, 0) as deposit_balance_amount,
        coalesce(balances.investment_value_amount, 0) as investment_value_amount,
        coalesce(balances.current_balance_amount, 0) as current_balance_amount,
        coalesce(balances.savings_balance_amount, 0) as savings_balance_amount,
        coalesce(balances.time_deposit_balance_amount, 0) as time_deposit_balance_amount,
        coalesce(open_products.open_product_count, 0) as open_product_count,
        coalesce(open_products.deposit_account_count, 0) as deposit_account_count,
        coalesce(open_products.investment_holding_count, 0) as investment_holding_count,
        coalesce(open_products.loan_count, 0) as loan_count,
        coalesce(open_products.credit_card_count, 0) as credit_card_count
    from customer_months
    left join balance_month_ends on customer_months.month_end_date = balance_month_ends.month_end_date
    left join balances
        on
            customer_months.customer_id = balances.customer_id
            and balance_month_ends.balance_date = balances.month_end_date
    left join open_products
        on
            customer_months.customer_id = open_products.customer_id
            and customer_months.month_end_date = open_products.month_end_date
    left join month_windows
        on
            customer_months.customer_id = month_windows.customer_id
            and customer_months.month_end_date = month_windows.month_end_date
),

final as (
    select
        customer_id,
        month_end_date,
        is_as_of_month,
        balance_date,
        last_activity_date,
        cast(days_since_last_activity as integer) as days_since_last_activity,
        cast(transaction_count_1m as integer) as transaction_count_1m,
        cast(transaction_count_3m as integer) as transaction_count_3m,
        {{ bankseg.to_money('transaction_amount_3m') }} as transaction_amount_3m,
        {{ bankseg.to_money('debit_amount_3m') }} as debit_amount_3m,
        {{ bankseg.to_money('salary_credit_amount_3m') }} as salary_credit_amount_3m,
        cast(card_transaction_count_3m as integer) as card_transaction_count_3m,
        {{ bankseg.to_money('card_spend_amount_3m') }} as card_spend_amount_3m,
        cast(digital_session_count_3m as integer) as digital_session_count_3m,
        cast(case
            when transaction_count_3m > 0 then digital_transaction_count_3m * 1.0 / transaction_count_3m
        end as decimal(9, 4)) as digital_channel_share_3m,
        cast(active_month_count_24m as integer) as active_month_count_24m,
        cast(case
            when active_month_count_24m > 0 then transaction_count_24m * 1.0 / active_month_count_24m
        end as decimal(12, 4)) as monthly_transaction_count_24m,
        cast(case
            when transaction_count_24m > 0 then digital_transaction_count_24m * 1.0 / transaction_count_24m
        end as decimal(9, 4)) as digital_channel_share_24m,
        cast(case
            when transaction_count_24m > 0 then branch_transaction_count_24m * 1.0 / transaction_count_24m
        end as decimal(9, 4)) as branch_channel_share_24m,
        cast(case
            when credit_amount_24m > 0 then least(greatest(salary_credit_amount_24m, 0) / credit_amount_24m, 1)
        end as decimal(9, 4)) as salary_credit_share_24m,
        {{ bankseg.to_money('max_aum_24m_amount') }} as max_aum_24m_amount,
        aum_amount,
        deposit_balance_amount,
        investment_value_amount,
        {% for t in ['current', 'savings', 'time_deposit'] -%}
            cast(case
                when greatest(current_balance_amount, 0) + greatest(savings_balance_amount, 0)
                    + greatest(time_deposit_balance_amount, 0) > 0
                    then greatest({{ t }}_balance_amount, 0)
                        / (
                            greatest(current_balance_amount, 0) + greatest(savings_balance_amount, 0)
                            + greatest(time_deposit_balance_amount, 0)
                        )
            end as decimal(9, 4)) as {{ t }}_deposit_share,
        {% endfor -%}
        cast(open_product_count as integer) as product_count,
        cast(deposit_account_count as integer) as deposit_account_count,
        cast(investment_holding_count as integer) as investment_holding_count,
        cast(loan_count as integer) as loan_count,
        cast(credit_card_count as integer) as credit_card_count,
        '{{ var("reporting_currency") }}' as currency,
        {{ bankseg.is_active(*lifecycle_args) }} as is_active,
        {{ bankseg.is_dormant(*lifecycle_args) }} as is_dormant,
        {{ bankseg.is_churned(*lifecycle_args) }} as is_churned,
        {{ bankseg.lifecycle_status(*lifecycle_args) }} as lifecycle_status
    from assembled
)

select * from final
