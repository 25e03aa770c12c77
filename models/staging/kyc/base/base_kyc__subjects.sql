{#- a bad birth date is nulled, not the KYC subject rejected (see value_issues in quarantine.sql) -#}
{%- set value_checks = bankseg.birth_date_value_checks() -%}

{#- the row checks: a row failing one is rejected -#}
{%- set row_checks = [
    ['missing subject_id', 'subject_id is null'],
    ['duplicate key', '_is_duplicate_key and subject_id is not null'],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
] -%}

with

raw as (
    {{ bankseg.raw_rows('kyc', 'subjects') }}
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.subject_id') }} as subject_id,
        {{ bankseg.clean_text('raw.full_name') }} as full_name_clean,
        nullif(upper(trim(raw.national_id)), '') as national_id_clean,
        {{ bankseg.normalize_phone('raw.phone') }} as phone_e164,
        raw.birth_date as birth_date_raw,
        {{ bankseg.try_parse_date('raw.birth_date') }} as birth_date,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

keyed as (
    select
        typed.*,
        -- a second, different row under an already-used subject id: keep the latest extract
        row_number() over (
            partition by typed._is_exact_duplicate, typed.subject_id
            order by typed.extracted_at desc nulls last, typed._row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from typed
),

final as (
    select
        _row_fingerprint,
        -- clear personal data: kept only on the rows the quarantine model shows (doc base_model_table)
        case when {{ bankseg.is_rejected(row_checks + value_checks) }} then _original_values end as _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons(row_checks) }} as _quarantine_reason,
        {{ bankseg.value_issues(value_checks) }} as _value_issues,
        subject_id,
        {{ bankseg.hash_pii('full_name_clean') }} as full_name_hash,
        {{ bankseg.hash_pii(bankseg.match_name('full_name_clean')) }} as match_name_hash,
        {{ bankseg.hash_pii('national_id_clean') }} as national_id_hash,
        {{ bankseg.is_valid_prc_national_id('national_id_clean') }} as has_valid_national_id,
        {{ bankseg.hash_pii('phone_e164') }} as phone_hash,
        {{ bankseg.checked_value('birth_date', value_checks) }} as birth_date,
        extracted_at
    from keyed
)

select * from final
