-- a view: its base model is already a table of every raw row (doc large_base_table)
{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_cards__card_transactions') }}
),

final as (
    select
        card_transaction_id,
        card_account_id,
        transaction_at,
        transaction_amount,
        currency,
        merchant_category_code,
        merchant_category,
        spend_group,
        merchant_name,
        merchant_city,
        extracted_at
    from base
    where not _is_exact_duplicate and not _is_rejected
)

select * from final
