{#- the row checks: a row failing one is rejected -#}
{%- set row_checks = [
    ['missing user_id', 'user_id is null'],
    ['duplicate key', '_is_duplicate_key and user_id is not null'],
    ['missing registered_at', "nullif(trim(registered_at_raw), '') is null"],
    ['unparseable registered_at', bankseg.is_unparseable('registered_at_raw', 'registered_at')],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
    ['registered after extraction', 'registered_at > extracted_at'],
    ['missing status_code', 'status_code is null'],
    ['unknown digital_user_status', 'status_code is not null and status is null'],
] -%}

with

raw as (
    {{ bankseg.raw_rows('digital', 'users') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.user_id') }} as user_id,
        -- a login is usually the user's e-mail address or mobile number: normalise it the same way, so its hash
        -- equals email_hash / phone_hash of that address or number; any other login is trimmed and lower-cased
        coalesce(
            {{ bankseg.normalize_email('raw.login_id') }},
            case
                when {{ bankseg.regexp_full_match('trim(raw.login_id)', '[0-9 ()+-]+') }}
                    then {{ bankseg.normalize_phone('raw.login_id') }}
            end,
            lower({{ bankseg.clean_text('raw.login_id') }})
        ) as login_id_clean,
        {{ bankseg.clean_text('raw.display_name') }} as full_name_clean,
        {{ bankseg.normalize_phone('raw.phone') }} as phone_e164,
        {{ bankseg.normalize_email('raw.email') }} as email_clean,
        raw.registered_at as registered_at_raw,
        {{ bankseg.try_parse_timestamp('raw.registered_at') }} as registered_at,
        {{ bankseg.clean_code('raw.status_code') }} as status_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        user_status.code as status
    from typed
    left join code_map as user_status
        on user_status.code_set = 'digital_user_status' and typed.status_code = user_status.raw_code
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used user id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.user_id
            order by coded.extracted_at desc nulls last, coded._row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from coded
),

final as (
    select
        _row_fingerprint,
        -- clear personal data: kept only on the rows the quarantine model shows (doc base_model_table)
        case when {{ bankseg.is_rejected(row_checks) }} then _original_values end as _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons(row_checks) }} as _quarantine_reason,
        user_id,
        {{ bankseg.hash_pii('login_id_clean') }} as login_id_hash,
        {{ bankseg.hash_pii('full_name_clean') }} as full_name_hash,
        {{ bankseg.hash_pii(bankseg.match_name('full_name_clean')) }} as match_name_hash,
        {{ bankseg.hash_pii('phone_e164') }} as phone_hash,
        {{ bankseg.hash_pii('email_clean') }} as email_hash,
        registered_at,
        status,
        extracted_at
    from keyed
)

select * from final
