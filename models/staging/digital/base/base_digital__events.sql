-- an incremental table, not a view (docs large_base_table, landing_increment): stg_ and the quarantine model both read it
{{ bankseg.large_base_table_config('digital', 'events') }}
{%- set columns = bankseg.source_columns('digital', 'events') -%}
{%- set keys = [['event_id', bankseg.clean_code('raw.event_id')]] -%}
{#- orphan check: the users accepted into stg_digital__users -#}
{%- set lookup = {
    'sql': 'select user_id from ' ~ ref('base_digital__users')
        ~ ' where not _is_exact_duplicate and _quarantine_reason is null',
    'on': [['user_id', 'user_id']],
    'columns': ['user_id'],
} -%}
{%- set scope = bankseg.landing_increment(
    'digital', 'events', keys, lookup=lookup, rules=[ref('ref_code_map'), ref('ref_channels')]
) -%}
{%- set row_checks = [
    ['missing event_id', 'event_id is null'],
    ['duplicate key', '_is_duplicate_key and event_id is not null'],
    ['missing user_id', 'user_id is null'],
    ['orphan user_id', 'user_id is not null and known_user_id is null'],
    ['missing event_ts', "nullif(trim(event_ts_raw), '') is null"],
    ['unparseable event_ts', bankseg.is_unparseable('event_ts_raw', 'event_at')],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
    ['missing event_type', 'event_type_code is null'],
    ['unknown digital_event_type', 'event_type_code is not null and event_type is null'],
    ['missing channel_code', 'channel_code is null'],
    ['unknown channel_code', 'channel_code is not null and channel is null'],
    ['not a digital channel', 'channel is not null and not is_event_channel'],
    ['unknown device_os', 'device_os_code is not null and device_os is null'],
] -%}
with

{{ scope.ctes }}

raw as {{ bankseg.inline_cte() }} (
    {{ bankseg.landing_rows('digital', 'events', where=scope.raw_filter) }}
),

-- the de-duplication flags, computed on the few rows whose key repeats (macro repeat_flag_ctes)
{{ bankseg.repeat_flag_ctes(columns, keys) }},

code_map as (
    select * from {{ ref('ref_code_map') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

-- orphan check only: the user ids accepted by base_digital__users
users as (
    {{ lookup.sql }}
),

typed as (
    select
        raw._landing_file,
        raw._landing_row,
        {{ bankseg.clean_code('raw.event_id') }} as event_id,
        {{ bankseg.clean_code('raw.user_id') }} as user_id,
        raw.event_ts as event_ts_raw,
        {{ bankseg.try_parse_timestamp('raw.event_ts') }} as event_at,
        {{ bankseg.clean_code('raw.event_type') }} as event_type_code,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        {{ bankseg.clean_code('raw.device_os') }} as device_os_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        event_type.code as event_type,
        device_os.code as device_os,
        channels.channel,
        -- events happen in online banking (WEB) or the app (MOB) only; any other channel is impossible, including
        -- SMS and e-mail, which ref_channels marks digital because the bank sends messages through them
        coalesce(typed.channel_code in ('WEB', 'MOB'), false) as is_event_channel,
        users.user_id as known_user_id,
        {{ bankseg.lookup_hash('users', lookup) }} as _lookup_hash
    from typed
    left join code_map as event_type
        on event_type.code_set = 'digital_event_type' and typed.event_type_code = event_type.raw_code
    left join code_map as device_os
        on device_os.code_set = 'device_os' and typed.device_os_code = device_os.raw_code
    left join channels
        on typed.channel_code = channels.channel_code
    left join users
        on typed.user_id = users.user_id
),

keyed as (
    select
        coded.*,
        coalesce(repeat_flags._is_exact_duplicate, false) as _is_exact_duplicate,
        coalesce(repeat_flags._is_duplicate_key, false) as _is_duplicate_key
    from coded
    left join repeat_flags
        on coded._landing_file = repeat_flags._landing_file and coded._landing_row = repeat_flags._landing_row
),

checked as (
    select
        keyed.*,
        {{ bankseg.is_rejected(row_checks) }} as _is_rejected
    from keyed
),

final as (
    select
        _landing_file,
        _landing_row,
        _is_exact_duplicate,
        _is_rejected,
        case when _is_rejected then {{ bankseg.quarantine_reasons(row_checks) }} end as _quarantine_reason,
        {{ scope.rules_hash }} as _rules_hash,
        _lookup_hash,
        event_id,
        user_id,
        event_at,
        event_type,
        channel,
        device_os,
        extracted_at
    from checked
)

select * from final
{{ scope.output_filter }}
