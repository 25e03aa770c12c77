{#- A loan rate above this fraction (default 36%, the ceiling courts enforce) is not a lawful rate: an extract error. -#}
{%- set max_interest_rate = var('max_loan_interest_rate', 0.36) -%}

with

raw as (
    {{ bankseg.raw_rows('loans', 'loan_accounts') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

-- orphan checks only: the applications and borrowers accepted into staging
accepted_applications as (
    select application_id
    from {{ ref('base_loans__applications') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

accepted_borrowers as (
    select borrower_id
    from {{ ref('base_loans__borrowers') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.loan_id') }} as loan_id,
        {{ bankseg.clean_code('raw.application_id') }} as application_id,
        {{ bankseg.clean_code('raw.borrower_id') }} as borrower_id,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        {{ bankseg.to_money('raw.principal') }} as principal_amount,
        {{ bankseg.to_money('raw.outstanding_balance') }} as outstanding_balance_amount,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        -- the extract gives percent per year (1.65 = 1.65%); the house unit is a fraction
        cast(round(raw.interest_rate / 100, 6) as decimal(10, 6)) as interest_rate,
        raw.term_months,
        raw.disbursement_date as disbursement_date_raw,
        {{ bankseg.try_parse_date('raw.disbursement_date') }} as disbursement_date,
        raw.maturity_date as maturity_date_raw,
        {{ bankseg.try_parse_date('raw.maturity_date') }} as maturity_date,
        {{ bankseg.clean_code('raw.status_code') }} as status_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        status.code as status,
        products.product_family,
        products.product_type,
        products.default_currency,
        accepted_applications.application_id as accepted_application_id,
        accepted_borrowers.borrower_id as accepted_borrower_id
    from typed
    left join code_map as status
        on status.code_set = 'loan_status' and typed.status_code = status.raw_code
    left join products
        on typed.product_code = products.product_code
    left join accepted_applications
        on typed.application_id = accepted_applications.application_id
    left join accepted_borrowers
        on typed.borrower_id = accepted_borrowers.borrower_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used loan number: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.loan_id
            order by coded.extracted_at desc nulls last, coded._row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from coded
),

final as (
    select
        _row_fingerprint,
        _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons([
            ['missing loan_id', 'loan_id is null'],
            ['duplicate key', '_is_duplicate_key and loan_id is not null'],
            ['missing borrower_id', 'borrower_id is null'],
            ['orphan borrower_id', 'borrower_id is not null and accepted_borrower_id is null'],
            ['orphan application_id', 'application_id is not null and accepted_application_id is null'],
            ['missing product_code', 'product_code is null'],
            ['unknown product', 'product_code is not null and product_family is null'],
            ['not a loan product', "product_family <> 'loan'"],
            ['missing disbursement_date', "nullif(trim(disbursement_date_raw), '') is null"],
            ['unparseable disbursement_date', bankseg.is_unparseable('disbursement_date_raw', 'disbursement_date')],
            ['unparseable maturity_date', bankseg.is_unparseable('maturity_date_raw', 'maturity_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['maturity date before disbursement', 'maturity_date < disbursement_date'],
            ['missing status_code', 'status_code is null'],
            ['unknown status', 'status_code is not null and status is null'],
            ['missing principal', 'principal_amount is null'],
            ['negative principal', 'principal_amount < 0'],
            ['negative outstanding_balance', 'outstanding_balance_amount < 0'],
            ['negative interest_rate', 'interest_rate < 0'],
            ['implausible interest_rate', 'interest_rate > ' ~ max_interest_rate],
            ['non-positive term_months', 'term_months <= 0'],
        ]) }} as _quarantine_reason,
        loan_id,
        application_id,
        borrower_id,
        product_code,
        case when product_family = 'loan' then product_type end as loan_type,
        principal_amount,
        outstanding_balance_amount,
        coalesce(currency_code, default_currency) as currency,
        interest_rate,
        term_months,
        disbursement_date,
        maturity_date,
        status,
        extracted_at
    from keyed
)

select * from final
