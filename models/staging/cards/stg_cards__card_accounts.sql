with

base as (
    select * from {{ ref('base_cards__card_accounts') }}
),

final as (
    select
        card_account_id,
        cardholder_id,
        product_code,
        status,
        credit_limit_amount,
        current_balance_amount,
        currency,
        open_date,
        close_date,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
