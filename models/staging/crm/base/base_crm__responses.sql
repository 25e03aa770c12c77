with

raw as (
    {{ bankseg.raw_rows('crm', 'responses') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

-- orphan check, plus the contact date and group the response is checked against: accepted campaign contacts
campaign_contacts as (
    select
        campaign_contact_id,
        contact_date,
        is_control_group
    from {{ ref('base_crm__campaign_contacts') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.response_id') }} as response_id,
        {{ bankseg.clean_code('raw.campaign_contact_id') }} as campaign_contact_id,
        raw.response_date as response_date_raw,
        {{ bankseg.try_parse_date('raw.response_date') }} as response_date,
        {{ bankseg.clean_code('raw.response_code') }} as response_code,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        raw.product_opened_date as product_opened_date_raw,
        {{ bankseg.try_parse_date('raw.product_opened_date') }} as product_opened_date,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        campaign_response.code as response,
        products.product_code as known_product_code,
        campaign_contacts.campaign_contact_id as known_campaign_contact_id,
        campaign_contacts.contact_date,
        campaign_contacts.is_control_group
    from typed
    left join code_map as campaign_response
        on campaign_response.code_set = 'campaign_response' and typed.response_code = campaign_response.raw_code
    left join products
        on typed.product_code = products.product_code
    left join campaign_contacts
        on typed.campaign_contact_id = campaign_contacts.campaign_contact_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used response id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.response_id
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
            ['missing response_id', 'response_id is null'],
            ['duplicate key', '_is_duplicate_key and response_id is not null'],
            ['missing campaign_contact_id', 'campaign_contact_id is null'],
            ['orphan campaign_contact_id', 'campaign_contact_id is not null and known_campaign_contact_id is null'],
            ['unparseable response_date', bankseg.is_unparseable('response_date_raw', 'response_date')],
            ['unparseable product_opened_date',
                bankseg.is_unparseable('product_opened_date_raw', 'product_opened_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['missing response_code', 'response_code is null and not is_control_group'],
            ['unknown campaign_response', 'response_code is not null and response is null'],
            ['response from control group', 'response_code is not null and is_control_group'],
            ['unknown product_code', 'product_code is not null and known_product_code is null'],
            ['response before contact', 'response_date < contact_date'],
            ['product opened before contact', 'product_opened_date < contact_date'],
        ]) }} as _quarantine_reason,
        response_id,
        campaign_contact_id,
        response_date,
        response,
        product_code,
        product_opened_date,
        extracted_at
    from keyed
)

select * from final
