-- a view: its base model is already a table of every raw row (doc large_base_table)
{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_core_banking__transactions') }}
),

final as (
    select
        transaction_id,
        account_id,
        transaction_at,
        transaction_date,
        amount,
        signed_amount,
        currency,
        direction,
        channel,
        is_digital_channel,
        counterparty_type,
        description,
        extracted_at,
        is_late_arriving
    from base
    where not _is_exact_duplicate and not _is_rejected
)

select * from final
