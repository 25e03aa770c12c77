{#-
    The one date the warehouse describes. var('as_of_date') when set; otherwise the data's last day: the
    latest transaction date or month-end balance date accepted in staging. Every model that looks at time
    reads it from here, never current_date.
-#}
with

transactions as (
    select max(transaction_date) as last_date from {{ ref('stg_core_banking__transactions') }}
),

balances as (
    select max(balance_date) as last_date from {{ ref('stg_core_banking__balances') }}
),

final as (
    select
        {% if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
        {%- else -%}
            coalesce(greatest(transactions.last_date, balances.last_date), transactions.last_date, balances.last_date)
        {%- endif %} as as_of_date,
        {{ 'true' if var('as_of_date') else 'false' }} as is_as_of_date_configured
    from transactions
    cross join balances
)

select * from final
