with

raw as (
    {{ bankseg.raw_rows('crm', 'campaign_contacts') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

-- orphan checks only: the campaign ids and contact ids accepted by their base models
campaigns as (
    select campaign_id from {{ ref('base_crm__campaigns') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

contacts as (
    select contact_id from {{ ref('base_crm__contacts') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.campaign_contact_id') }} as campaign_contact_id,
        {{ bankseg.clean_code('raw.campaign_id') }} as campaign_id,
        {{ bankseg.clean_code('raw.contact_id') }} as contact_id,
        raw.contact_date as contact_date_raw,
        {{ bankseg.try_parse_date('raw.contact_date') }} as contact_date,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        {{ bankseg.clean_code('raw.group_code') }} as group_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        campaign_group.code as campaign_group,
        channels.channel,
        campaigns.campaign_id as known_campaign_id,
        contacts.contact_id as known_contact_id
    from typed
    left join code_map as campaign_group
        on campaign_group.code_set = 'campaign_group' and typed.group_code = campaign_group.raw_code
    left join channels
        on typed.channel_code = channels.channel_code
    left join campaigns
        on typed.campaign_id = campaigns.campaign_id
    left join contacts
        on typed.contact_id = contacts.contact_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used campaign contact id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.campaign_contact_id
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
            ['missing campaign_contact_id', 'campaign_contact_id is null'],
            ['duplicate key', '_is_duplicate_key and campaign_contact_id is not null'],
            ['missing campaign_id', 'campaign_id is null'],
            ['orphan campaign_id', 'campaign_id is not null and known_campaign_id is null'],
            ['missing contact_id', 'contact_id is null'],
            ['orphan contact_id', 'contact_id is not null and known_contact_id is null'],
            ['unparseable contact_date', bankseg.is_unparseable('contact_date_raw', 'contact_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['missing group_code', 'group_code is null'],
            ['unknown campaign_group', 'group_code is not null and campaign_group is null'],
            ['unknown channel_code', 'channel_code is not null and channel is null'],
        ]) }} as _quarantine_reason,
        campaign_contact_id,
        campaign_id,
        contact_id,
        contact_date,
        channel,
        campaign_group,
        campaign_group = 'control' as is_control_group,
        extracted_at
    from keyed
)

select * from final
