with

base as (
    select * from {{ ref('base_loans__repayments') }}
),

final as (
    select
        repayment_id,
        loan_id,
        due_date,
        paid_date,
        due_amount,
        paid_amount,
        currency,
        is_paid,
        days_past_due,
        extracted_at
    from base
    where not _is_exact_duplicate and _quarantine_reason is null
)

select * from final
