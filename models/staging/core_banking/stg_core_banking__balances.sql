-- a view: its base model is already a table of every raw row (doc large_base_table)
{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_core_banking__balances') }}
),

final as (
    select
        account_id,
        balance_date,
        balance_amount,
        currency,
        extracted_at
    from base
    where not _is_exact_duplicate and not _is_rejected
)

select * from final
