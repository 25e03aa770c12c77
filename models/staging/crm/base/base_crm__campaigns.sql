with

raw as (
    {{ bankseg.raw_rows('crm', 'campaigns') }}
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

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.campaign_id') }} as campaign_id,
        {{ bankseg.clean_text('raw.campaign_name') }} as campaign_name,
        {{ bankseg.clean_code('raw.objective') }} as objective_code,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        {{ bankseg.clean_text('raw.target_segment') }} as target_segment,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        raw.start_date as start_date_raw,
        {{ bankseg.try_parse_date('raw.start_date') }} as start_date,
        raw.end_date as end_date_raw,
        {{ bankseg.try_parse_date('raw.end_date') }} as end_date,
        {{ bankseg.to_money('raw.cost_per_contact') }} as cost_per_contact_amount,
        coalesce({{ bankseg.clean_code('raw.currency') }}, '{{ var("reporting_currency") }}') as currency,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        objective.code as objective,
        products.product_code as known_product_code,
        channels.channel
    from typed
    left join code_map as objective
        on objective.code_set = 'campaign_objective' and typed.objective_code = objective.raw_code
    left join products
        on typed.product_code = products.product_code
    left join channels
        on typed.channel_code = channels.channel_code
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used campaign id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.campaign_id
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
            ['missing campaign_id', 'campaign_id is null'],
            ['duplicate key', '_is_duplicate_key and campaign_id is not null'],
            ['missing objective', 'objective_code is null'],
            ['unknown campaign_objective', 'objective_code is not null and objective is null'],
            ['unknown product_code', 'product_code is not null and known_product_code is null'],
            ['unknown channel_code', 'channel_code is not null and channel is null'],
            ['unparseable start_date', bankseg.is_unparseable('start_date_raw', 'start_date')],
            ['unparseable end_date', bankseg.is_unparseable('end_date_raw', 'end_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['end date before start date', 'end_date < start_date'],
            ['negative cost_per_contact', 'cost_per_contact_amount < 0'],
        ]) }} as _quarantine_reason,
        campaign_id,
        campaign_name,
        objective,
        product_code,
        target_segment,
        channel,
        start_date,
        end_date,
        cost_per_contact_amount,
        currency,
        extracted_at
    from keyed
)

select * from final
