-- Every spend group of ref_merchant_category_groups and every non-digital-marketing channel used by account
-- transactions has its own column in the behaviour models (vars spend_groups and transaction_channels).
with

spend_groups as (
    select distinct spend_group as column_value from {{ ref('ref_merchant_category_groups') }}
),

used_channels as (
    select distinct channel as column_value from {{ ref('stg_core_banking__transactions') }}
),

missing as (
    select
        'spend_group' as kind,
        column_value
    from spend_groups
    where column_value not in ({% for g in var('spend_groups') %}'{{ g }}'{{ ', ' if not loop.last }}{% endfor %})
    union all
    select
        'channel' as kind,
        column_value
    from used_channels
    where column_value not in ({% for c in var('transaction_channels') %}'{{ c }}'{{ ', ' if not loop.last }}{% endfor %})
)

select * from missing
