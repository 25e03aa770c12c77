with

base as (
    select * from {{ ref('base_core_banking__deposit_accounts') }}
),

final as (
    select
        account_id,
        party_id,
        product_code,
        account_type,
        currency,
        open_date,
        maturity_date,
        close_date,
        status,
        branch_code,
        interest_rate,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
