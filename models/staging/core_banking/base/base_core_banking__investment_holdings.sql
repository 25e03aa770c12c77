with

raw as (
    {{ bankseg.raw_rows('core_banking', 'investment_holdings') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

-- orphan check only: the parties that were accepted into stg_core_banking__parties
accepted_parties as (
    select party_id
    from {{ ref('base_core_banking__parties') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.holding_id') }} as holding_id,
        {{ bankseg.clean_code('raw.party_id') }} as party_id,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        raw.valuation_date as valuation_date_raw,
        {{ bankseg.try_parse_date('raw.valuation_date') }} as valuation_date,
        {{ bankseg.to_money('raw.market_value') }} as market_value_amount,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        products.product_family,
        products.product_type,
        products.risk_rating,
        products.default_currency,
        accepted_parties.party_id as accepted_party_id
    from typed
    left join products
        on typed.product_code = products.product_code
    left join accepted_parties
        on typed.party_id = accepted_parties.party_id
),

keyed as (
    select
        coded.*,
        -- a second, different valuation of a holding on a day already delivered: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.holding_id, coded.valuation_date
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
            ['missing holding_id', 'holding_id is null'],
            ['missing valuation_date', "nullif(trim(valuation_date_raw), '') is null"],
            ['unparseable valuation_date', bankseg.is_unparseable('valuation_date_raw', 'valuation_date')],
            ['duplicate key', '_is_duplicate_key and holding_id is not null and valuation_date is not null'],
            ['missing party_id', 'party_id is null'],
            ['orphan party_id', 'party_id is not null and accepted_party_id is null'],
            ['missing product_code', 'product_code is null'],
            ['unknown product', 'product_code is not null and product_family is null'],
            ['not an investment product', "product_family <> 'investment'"],
            ['missing market_value', 'market_value_amount is null'],
            ['negative market_value', 'market_value_amount < 0'],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
        ]) }} as _quarantine_reason,
        holding_id,
        valuation_date,
        party_id,
        product_code,
        case when product_family = 'investment' then product_type end as product_type,
        case when product_family = 'investment' then risk_rating end as product_risk_rating,
        market_value_amount,
        coalesce(currency_code, default_currency) as currency,
        extracted_at
    from keyed
)

select * from final
