with

base as (
    select * from {{ ref('base_loans__applications') }}
),

final as (
    select
        application_id,
        borrower_id,
        product_code,
        loan_type,
        application_date,
        requested_amount,
        currency,
        decision,
        decision_date,
        channel,
        is_digital_channel,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
