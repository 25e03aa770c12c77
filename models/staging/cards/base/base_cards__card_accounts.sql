with

raw as (
    {{ bankseg.raw_rows('cards', 'card_accounts') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

-- orphan check only: the cardholder ids accepted by base_cards__cardholders
cardholders as (
    select cardholder_id from {{ ref('base_cards__cardholders') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.card_account_id') }} as card_account_id,
        {{ bankseg.clean_code('raw.cardholder_id') }} as cardholder_id,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        {{ bankseg.to_money('raw.credit_limit') }} as credit_limit_amount,
        {{ bankseg.to_money('raw.current_balance') }} as current_balance_amount,
        coalesce({{ bankseg.clean_code('raw.currency') }}, '{{ var("reporting_currency") }}') as currency,
        raw.open_date as open_date_raw,
        {{ bankseg.try_parse_date('raw.open_date') }} as open_date,
        raw.close_date as close_date_raw,
        {{ bankseg.try_parse_date('raw.close_date') }} as close_date,
        {{ bankseg.clean_code('raw.status_code') }} as status_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        card_status.code as status,
        products.product_code as known_product_code,
        products.product_family,
        cardholders.cardholder_id as known_cardholder_id
    from typed
    left join code_map as card_status
        on card_status.code_set = 'card_status' and typed.status_code = card_status.raw_code
    left join products
        on typed.product_code = products.product_code
    left join cardholders
        on typed.cardholder_id = cardholders.cardholder_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used card account id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.card_account_id
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
            ['missing card_account_id', 'card_account_id is null'],
            ['duplicate key', '_is_duplicate_key and card_account_id is not null'],
            ['missing cardholder_id', 'cardholder_id is null'],
            ['orphan cardholder_id', 'cardholder_id is not null and known_cardholder_id is null'],
            ['missing product_code', 'product_code is null'],
            ['unknown product_code', 'product_code is not null and known_product_code is null'],
            ['not a card product', "known_product_code is not null and product_family <> 'card'"],
            ['missing status_code', 'status_code is null'],
            ['unknown card_status', 'status_code is not null and status is null'],
            ['negative credit_limit', 'credit_limit_amount < 0'],
            ['missing open_date', "nullif(trim(open_date_raw), '') is null"],
            ['unparseable open_date', bankseg.is_unparseable('open_date_raw', 'open_date')],
            ['unparseable close_date', bankseg.is_unparseable('close_date_raw', 'close_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['close date before open date', 'close_date < open_date'],
        ]) }} as _quarantine_reason,
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
    from keyed
)

select * from final
