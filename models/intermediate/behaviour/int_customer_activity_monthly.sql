{#-
    What each customer did in each calendar month up to the as-of date: account transactions by direction and
    channel, salary credits, card purchases by spend group (lifestyle), digital banking sessions and events.
    The building block of every windowed behaviour measure (30/90/365 days in dim_customers use daily data;
    the monthly feature history uses these months).
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

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

account_transactions as (
    select account_transactions.*
    from {{ ref('int_transactions_enriched') }} as account_transactions
    cross join as_of_dates
    where account_transactions.transaction_date <= as_of_dates.as_of_date
),

card_transactions as (
    select card_transactions.*
    from {{ ref('int_card_transactions_enriched') }} as card_transactions
    cross join as_of_dates
    where card_transactions.transaction_date <= as_of_dates.as_of_date
),

digital_events as (
    select digital_events.*
    from {{ ref('stg_digital__events') }} as digital_events
    cross join as_of_dates
    where cast(digital_events.event_at as date) <= as_of_dates.as_of_date
),

account_activity as (
    select
        products.customer_id,
        cast({{ dbt.date_trunc('month', 'account_transactions.transaction_date') }} as date) as month_start_date,
        count(*) as transaction_count,
        count(case when account_transactions.direction = 'debit' then 1 end) as debit_count,
        sum(case when account_transactions.direction = 'debit' then account_transactions.reporting_amount else 0 end)
            as debit_amount,
        sum(case when account_transactions.direction = 'credit' then account_transactions.reporting_amount else 0 end)
            as credit_amount,
        sum(case when account_transactions.is_salary_credit then account_transactions.reporting_amount else 0 end)
            as salary_credit_amount,
        count(case when account_transactions.is_digital_channel then 1 end) as digital_transaction_count,
        {% for c in channels -%}
            count(case when account_transactions.channel = '{{ c }}' then 1 end) as {{ c }}_transaction_count,
        {% endfor -%}
        max(account_transactions.transaction_date) as last_transaction_date
    from account_transactions
    inner join products
        on products.product_family = 'deposit' and account_transactions.account_id = products.product_key
    group by
        products.customer_id,
        cast({{ dbt.date_trunc('month', 'account_transactions.transaction_date') }} as date)
),

card_activity as (
    select
        products.customer_id,
        cast({{ dbt.date_trunc('month', 'card_transactions.transaction_date') }} as date) as month_start_date,
        count(*) as card_transaction_count,
        sum(card_transactions.reporting_amount) as card_spend_amount,
        {% for g in spend_groups -%}
            sum(case when card_transactions.spend_group = '{{ g }}' then card_transactions.reporting_amount else 0 end)
                as {{ g }}_spend_amount,
        {% endfor -%}
        max(card_transactions.transaction_date) as last_card_transaction_date
    from card_transactions
    inner join products
        on products.product_family = 'card' and card_transactions.card_account_id = products.product_key
    group by
        products.customer_id,
        cast({{ dbt.date_trunc('month', 'card_transactions.transaction_date') }} as date)
),

digital_activity as (
    select
        identity_map.customer_id,
        cast({{ dbt.date_trunc('month', 'digital_events.event_at') }} as date) as month_start_date,
        count(case when digital_events.event_type = 'login' then 1 end) as digital_session_count,
        count(*) as digital_event_count,
        max(digital_events.event_at) as last_digital_event_at
    from digital_events
    inner join identity_map
        on identity_map.source_system = 'digital' and digital_events.user_id = identity_map.system_key
    group by
        identity_map.customer_id,
        cast({{ dbt.date_trunc('month', 'digital_events.event_at') }} as date)
),

final as (
    select
        coalesce(account_activity.customer_id, card_activity.customer_id, digital_activity.customer_id) as customer_id,
        coalesce(account_activity.month_start_date, card_activity.month_start_date, digital_activity.month_start_date)
            as month_start_date,
        coalesce(account_activity.transaction_count, 0) as transaction_count,
        coalesce(account_activity.debit_count, 0) as debit_count,
        {{ bankseg.to_money('coalesce(account_activity.debit_amount, 0)') }} as debit_amount,
        {{ bankseg.to_money('coalesce(account_activity.credit_amount, 0)') }} as credit_amount,
        {{ bankseg.to_money('coalesce(account_activity.salary_credit_amount, 0)') }} as salary_credit_amount,
        coalesce(account_activity.digital_transaction_count, 0) as digital_transaction_count,
        {% for c in channels -%}
            coalesce(account_activity.{{ c }}_transaction_count, 0) as {{ c }}_transaction_count,
        {% endfor -%}
        coalesce(card_activity.card_transaction_count, 0) as card_transaction_count,
        {{ bankseg.to_money('coalesce(card_activity.card_spend_amount, 0)') }} as card_spend_amount,
        {% for g in spend_groups -%}
            {{ bankseg.to_money('coalesce(card_activity.' ~ g ~ '_spend_amount, 0)') }} as {{ g }}_spend_amount,
        {% endfor -%}
        coalesce(digital_activity.digital_session_count, 0) as digital_session_count,
        coalesce(digital_activity.digital_event_count, 0) as digital_event_count,
        account_activity.last_transaction_date,
        card_activity.last_card_transaction_date,
        digital_activity.last_digital_event_at,
        greatest(
            coalesce(account_activity.last_transaction_date, cast('1900-01-01' as date)),
            coalesce(card_activity.last_card_transaction_date, cast('1900-01-01' as date)),
            coalesce(cast(digital_activity.last_digital_event_at as date), cast('1900-01-01' as date))
        ) as last_activity_date,
        '{{ var("reporting_currency") }}' as currency
    -- each activity has at most one row per customer-month: two full outer joins line them up (a distinct union of
    -- the keys joined back to each activity took a third more time at 1M customers: docs/bench.md)
    from account_activity
    full outer join card_activity
        on
            account_activity.customer_id = card_activity.customer_id
            and account_activity.month_start_date = card_activity.month_start_date
    full outer join digital_activity
        on
            coalesce(account_activity.customer_id, card_activity.customer_id) = digital_activity.customer_id
            and coalesce(account_activity.month_start_date, card_activity.month_start_date)
            = digital_activity.month_start_date
)

select * from final
