with

base as (
    select * from {{ ref('base_core_banking__investment_holdings') }}
),

final as (
    select
        holding_id,
        valuation_date,
        party_id,
        product_code,
        product_type,
        product_risk_rating,
        market_value_amount,
        currency,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
