with

base as (
    select * from {{ ref('base_loans__loan_accounts') }}
),

final as (
    select
        loan_id,
        application_id,
        borrower_id,
        product_code,
        loan_type,
        principal_amount,
        outstanding_balance_amount,
        currency,
        interest_rate,
        term_months,
        disbursement_date,
        maturity_date,
        status,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
