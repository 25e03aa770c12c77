with

raw as (
    {{ bankseg.raw_rows('loans', 'repayments') }}
),

-- orphan check only: the loans that were accepted into stg_loans__loan_accounts
accepted_loans as (
    select
        loan_id,
        currency
    from {{ ref('base_loans__loan_accounts') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.repayment_id') }} as repayment_id,
        {{ bankseg.clean_code('raw.loan_id') }} as loan_id,
        raw.due_date as due_date_raw,
        {{ bankseg.try_parse_date('raw.due_date') }} as due_date,
        raw.paid_date as paid_date_raw,
        {{ bankseg.try_parse_date('raw.paid_date') }} as paid_date,
        {{ bankseg.to_money('raw.amount_due') }} as due_amount,
        {{ bankseg.to_money('raw.amount_paid') }} as paid_amount,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

joined as (
    select
        typed.*,
        accepted_loans.loan_id as accepted_loan_id,
        accepted_loans.currency as loan_currency
    from typed
    left join accepted_loans
        on typed.loan_id = accepted_loans.loan_id
),

keyed as (
    select
        joined.*,
        -- a second, different row under an already-used repayment id: keep the latest extract
        row_number() over (
            partition by joined._is_exact_duplicate, joined.repayment_id
            order by joined.extracted_at desc nulls last, joined._row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from joined
),

final as (
    select
        _row_fingerprint,
        _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons([
            ['missing repayment_id', 'repayment_id is null'],
            ['duplicate key', '_is_duplicate_key and repayment_id is not null'],
            ['missing loan_id', 'loan_id is null'],
            ['orphan loan_id', 'loan_id is not null and accepted_loan_id is null'],
            ['missing due_date', "nullif(trim(due_date_raw), '') is null"],
            ['unparseable due_date', bankseg.is_unparseable('due_date_raw', 'due_date')],
            ['unparseable paid_date', bankseg.is_unparseable('paid_date_raw', 'paid_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['missing amount_due', 'due_amount is null'],
            ['negative amount_due', 'due_amount < 0'],
            ['negative amount_paid', 'paid_amount < 0'],
            ['paid amount without paid date', 'paid_amount > 0 and paid_date is null'],
        ]) }} as _quarantine_reason,
        repayment_id,
        loan_id,
        due_date,
        paid_date,
        due_amount,
        coalesce(paid_amount, 0) as paid_amount,
        coalesce(currency_code, loan_currency) as currency,
        paid_date is not null as is_paid,
        -- days late of a paid instalment (0 when paid on time); an unpaid one has no as-of date in staging: null
        case
            when paid_date > due_date then {{ dbt.datediff('due_date', 'paid_date', 'day') }}
            when paid_date is not null then 0
        end as days_past_due,
        extracted_at
    from keyed
)

select * from final
