{#-
    Behaviour as of the as-of date, one row per customer with any activity: account transactions counted and
    summed over the last 30, 90 and 365 days (the window ends on the as-of date and includes it), recency,
    channel mix and digital share over 365 days, and card spend by spend group (lifestyle) over 365 days.
-#}
{%- set channels = var('transaction_channels') -%}
{%- set spend_groups = var('spend_groups') -%}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

products as (
    select * from {{ ref('int_customer_products') }}
),

account_transactions as (
    select
        products.customer_id,
        account_transactions.*,
        {{ dbt.datediff('account_transactions.transaction_date', 'as_of_dates.as_of_date', 'day') }} as days_before_as_of
    from {{ ref('int_transactions_enriched') }} as account_transactions
    inner join products
        on products.product_family = 'deposit' and account_transactions.account_id = products.product_key
    cross join as_of_dates
    where account_transactions.transaction_date <= as_of_dates.as_of_date
),

card_transactions as (
    select
        products.customer_id,
        card_transactions.*,
        {{ dbt.datediff('card_transactions.transaction_date', 'as_of_dates.as_of_date', 'day') }} as days_before_as_of
    from {{ ref('int_card_transactions_enriched') }} as card_transactions
    inner join products
        on products.product_family = 'card' and card_transactions.card_account_id = products.product_key
    cross join as_of_dates
    where card_transactions.transaction_date <= as_of_dates.as_of_date
),

account_behaviour as (
    select
        customer_id,
        min(transaction_date) as first_transaction_date,
        max(transaction_date) as last_transaction_date,
        {% for days in [30, 90, 365] -%}
            sum(case when days_before_as_of < {{ days }} then 1 else 0 end) as transaction_count_{{ days }}d,
            sum(case when days_before_as_of < {{ days }} then reporting_amount else 0 end)
                as transaction_amount_{{ days }}d,
        {% endfor -%}
        sum(case when days_before_as_of < 365 and is_digital_channel then 1 else 0 end)
            as digital_transaction_count_365d,
        {% for c in channels -%}
            sum(case when days_before_as_of < 365 and channel = '{{ c }}' then 1 else 0 end)
                as {{ c }}_transaction_count_365d,
        {% endfor -%}
        sum(case when days_before_as_of < 365 and is_salary_credit then reporting_amount else 0 end)
            as salary_credit_amount_365d
    from account_transactions
    group by customer_id
),

card_behaviour as (
    select
        customer_id,
        sum(case when days_before_as_of < 365 then 1 else 0 end) as card_transaction_count_365d,
        sum(case when days_before_as_of < 365 then reporting_amount else 0 end) as card_spend_amount_365d,
        {% for g in spend_groups -%}
            sum(case when days_before_as_of < 365 and spend_group = '{{ g }}' then reporting_amount else 0 end)
                as {{ g }}_spend_amount_365d,
        {% endfor -%}
        max(transaction_date) as last_card_transaction_date
    from card_transactions
    group by customer_id
),

customers as (
    select customer_id from account_behaviour
    union
    select customer_id from card_behaviour
),

final as (
    select
        customers.customer_id,
        account_behaviour.first_transaction_date,
        account_behaviour.last_transaction_date,
        card_behaviour.last_card_transaction_date,
        {% for days in [30, 90, 365] -%}
            coalesce(account_behaviour.transaction_count_{{ days }}d, 0) as transaction_count_{{ days }}d,
            {{ bankseg.to_money('coalesce(account_behaviour.transaction_amount_' ~ days ~ 'd, 0)') }}
                as transaction_amount_{{ days }}d,
        {% endfor -%}
        coalesce(account_behaviour.digital_transaction_count_365d, 0) as digital_transaction_count_365d,
        {% for c in channels -%}
            coalesce(account_behaviour.{{ c }}_transaction_count_365d, 0) as {{ c }}_transaction_count_365d,
        {% endfor -%}
        {{ bankseg.to_money('coalesce(account_behaviour.salary_credit_amount_365d, 0)') }}
            as salary_credit_amount_365d,
        coalesce(card_behaviour.card_transaction_count_365d, 0) as card_transaction_count_365d,
        {{ bankseg.to_money('coalesce(card_behaviour.card_spend_amount_365d, 0)') }} as card_spend_amount_365d,
        {% for g in spend_groups -%}
            {{ bankseg.to_money('coalesce(card_behaviour.' ~ g ~ '_spend_amount_365d, 0)') }} as {{ g }}_spend_amount_365d,
        {% endfor -%}
        '{{ var("reporting_currency") }}' as currency
    from customers
    left join account_behaviour on customers.customer_id = account_behaviour.customer_id
    left join card_behaviour on customers.customer_id = card_behaviour.customer_id
)

select * from final
