with

raw as (
    {{ bankseg.raw_rows('loans', 'applications') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

-- orphan check only: the borrowers that were accepted into stg_loans__borrowers
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
        {{ bankseg.clean_code('raw.application_id') }} as application_id,
        {{ bankseg.clean_code('raw.borrower_id') }} as borrower_id,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        raw.application_date as application_date_raw,
        {{ bankseg.try_parse_date('raw.application_date') }} as application_date,
        {{ bankseg.to_money('raw.requested_amount') }} as requested_amount,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        {{ bankseg.clean_code('raw.decision') }} as decision_code,
        raw.decision_date as decision_date_raw,
        {{ bankseg.try_parse_date('raw.decision_date') }} as decision_date,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        decision.code as decision,
        products.product_family,
        products.product_type,
        products.default_currency,
        channels.channel,
        channels.is_digital as is_digital_channel,
        accepted_borrowers.borrower_id as accepted_borrower_id
    from typed
    left join code_map as decision
        on decision.code_set = 'loan_decision' and typed.decision_code = decision.raw_code
    left join products
        on typed.product_code = products.product_code
    left join channels
        on typed.channel_code = channels.channel_code
    left join accepted_borrowers
        on typed.borrower_id = accepted_borrowers.borrower_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used application id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.application_id
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
            ['missing application_id', 'application_id is null'],
            ['duplicate key', '_is_duplicate_key and application_id is not null'],
            ['missing borrower_id', 'borrower_id is null'],
            ['orphan borrower_id', 'borrower_id is not null and accepted_borrower_id is null'],
            ['missing product_code', 'product_code is null'],
            ['unknown product', 'product_code is not null and product_family is null'],
            ['not a loan product', "product_family <> 'loan'"],
            ['missing application_date', "nullif(trim(application_date_raw), '') is null"],
            ['unparseable application_date', bankseg.is_unparseable('application_date_raw', 'application_date')],
            ['unparseable decision_date', bankseg.is_unparseable('decision_date_raw', 'decision_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['decision before application', 'decision_date < application_date'],
            ['unknown decision', 'decision_code is not null and decision is null'],
            ['decision date without decision', 'decision_code is null and decision_date is not null'],
            ['unknown channel', 'channel_code is not null and channel is null'],
            ['missing requested_amount', 'requested_amount is null'],
            ['negative requested_amount', 'requested_amount < 0'],
        ]) }} as _quarantine_reason,
        application_id,
        borrower_id,
        product_code,
        case when product_family = 'loan' then product_type end as loan_type,
        application_date,
        requested_amount,
        coalesce(currency_code, default_currency) as currency,
        decision,
        decision_date,
        channel,
        is_digital_channel,
        extracted_at
    from keyed
)

select * from final
