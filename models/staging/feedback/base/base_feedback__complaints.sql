with

raw as (
    {{ bankseg.raw_rows('feedback', 'complaints') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

-- orphan check only, and the only check across source systems: complaints are logged against the core banking
-- customer number, so the party must be among the parties accepted by base_core_banking__parties
parties as (
    select party_id from {{ ref('base_core_banking__parties') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.complaint_id') }} as complaint_id,
        {{ bankseg.clean_code('raw.party_id') }} as party_id,
        {{ bankseg.clean_code('raw.category') }} as category_code,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        raw.opened_at as opened_at_raw,
        {{ bankseg.try_parse_timestamp('raw.opened_at') }} as opened_at,
        raw.resolved_at as resolved_at_raw,
        {{ bankseg.try_parse_timestamp('raw.resolved_at') }} as resolved_at,
        {{ bankseg.clean_code('raw.outcome') }} as outcome_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        category.code as complaint_category,
        outcome.code as outcome,
        channels.channel,
        parties.party_id as known_party_id
    from typed
    left join code_map as category
        on category.code_set = 'complaint_category' and typed.category_code = category.raw_code
    left join code_map as outcome
        on outcome.code_set = 'complaint_outcome' and typed.outcome_code = outcome.raw_code
    left join channels
        on typed.channel_code = channels.channel_code
    left join parties
        on typed.party_id = parties.party_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used complaint id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.complaint_id
            order by coded.extracted_at desc nulls last, coded._row_fingerprint asc
        ) > 1 as _is_duplicate_key,
        -- sqlfluff measures the rendered cross-database macro below as one long line
        {{ dbt.datediff('coded.opened_at', 'coded.resolved_at', 'second') }} as resolution_seconds -- noqa: LT05
    from coded
),

final as (
    select
        _row_fingerprint,
        _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons([
            ['missing complaint_id', 'complaint_id is null'],
            ['duplicate key', '_is_duplicate_key and complaint_id is not null'],
            ['missing party_id', 'party_id is null'],
            ['orphan party_id', 'party_id is not null and known_party_id is null'],
            ['missing category', 'category_code is null'],
            ['unknown complaint_category', 'category_code is not null and complaint_category is null'],
            ['unknown channel_code', 'channel_code is not null and channel is null'],
            ['missing opened_at', "nullif(trim(opened_at_raw), '') is null"],
            ['unparseable opened_at', bankseg.is_unparseable('opened_at_raw', 'opened_at')],
            ['unparseable resolved_at', bankseg.is_unparseable('resolved_at_raw', 'resolved_at')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['resolved before opened', 'resolved_at < opened_at'],
            ['unknown complaint_outcome', 'outcome_code is not null and outcome is null'],
            ['outcome while open', "outcome_code is not null and nullif(trim(resolved_at_raw), '') is null"],
        ]) }} as _quarantine_reason,
        complaint_id,
        party_id,
        complaint_category,
        channel,
        opened_at,
        resolved_at,
        outcome,
        resolved_at is null as is_open,
        cast(round(resolution_seconds / 3600.0, 2) as decimal(12, 2)) as resolution_hours,
        extracted_at
    from keyed
)

select * from final
