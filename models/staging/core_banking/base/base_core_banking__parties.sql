{#- attributes that fail a check are nulled, not the party rejected (see value_issues in quarantine.sql) -#}
{%- set value_checks = [
    ['unparseable birth_date', bankseg.is_unparseable('birth_date_raw', 'birth_date'), 'birth_date'],
    ['birth date after onboarding', 'birth_date > onboarding_date', 'birth_date'],
    ['implausible birth date', "birth_date < cast('" ~ var('min_birth_date') ~ "' as date)", 'birth_date'],
    ['unparseable onboarding_date', bankseg.is_unparseable('onboarding_date_raw', 'onboarding_date'),
        'onboarding_date'],
    ['unknown gender', 'gender_code is not null and gender is null', 'gender'],
    ['unknown occupation', 'occupation_code is not null and occupation is null', 'occupation'],
    ['unknown marital_status', 'marital_status_code is not null and marital_status is null', 'marital_status'],
    ['unknown education', 'education_code is not null and education_level is null', 'education_level'],
    ['unknown home_branch_code', 'home_branch_code is not null and known_branch_code is null',
        'home_branch_code'],
    ['negative annual_income', 'annual_income_amount < 0', 'annual_income_amount'],
] -%}

{#- the row checks: a row failing one is rejected -#}
{%- set row_checks = [
    ['missing party_id', 'party_id is null'],
    ['duplicate key', '_is_duplicate_key and party_id is not null'],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
] -%}

with

raw as (
    {{ bankseg.raw_rows('core_banking', 'parties') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

branches as (
    select * from {{ ref('ref_branches') }}
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.party_id') }} as party_id,
        {{ bankseg.clean_text('raw.full_name') }} as full_name_clean,
        nullif(upper(trim(raw.national_id)), '') as national_id_clean,
        {{ bankseg.normalize_phone('raw.phone') }} as phone_e164,
        {{ bankseg.normalize_email('raw.email') }} as email_clean,
        raw.birth_date as birth_date_raw,
        {{ bankseg.try_parse_date('raw.birth_date') }} as birth_date,
        {{ bankseg.clean_code('raw.gender_code') }} as gender_code,
        {{ bankseg.clean_code('raw.occupation_code') }} as occupation_code,
        {{ bankseg.clean_code('raw.marital_status_code') }} as marital_status_code,
        {{ bankseg.clean_code('raw.education_code') }} as education_code,
        {{ bankseg.to_money('raw.annual_income') }} as annual_income_amount,
        coalesce({{ bankseg.clean_code('raw.income_currency') }}, '{{ var("reporting_currency") }}')
            as income_currency,
        {{ bankseg.clean_text('raw.city') }} as city_raw,
        raw.onboarding_date as onboarding_date_raw,
        {{ bankseg.try_parse_date('raw.onboarding_date') }} as onboarding_date,
        {{ bankseg.clean_code('raw.home_branch_code') }} as home_branch_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        gender.code as gender,
        occupation.code as occupation,
        marital.code as marital_status,
        education.code as education_level,
        branches.branch_code as known_branch_code
    from typed
    left join code_map as gender
        on gender.code_set = 'gender' and typed.gender_code = gender.raw_code
    left join code_map as occupation
        on occupation.code_set = 'occupation' and typed.occupation_code = occupation.raw_code
    left join code_map as marital
        on marital.code_set = 'marital_status' and typed.marital_status_code = marital.raw_code
    left join code_map as education
        on education.code_set = 'education' and typed.education_code = education.raw_code
    left join branches
        on typed.home_branch_code = branches.branch_code
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used party id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.party_id
            order by coded.extracted_at desc nulls last, coded._row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from coded
),

final as (
    select
        _row_fingerprint,
        -- clear personal data: kept only on the rows the quarantine model shows (doc base_model_table)
        case when {{ bankseg.is_rejected(row_checks + value_checks) }} then _original_values end as _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons(row_checks) }} as _quarantine_reason,
        {{ bankseg.value_issues(value_checks) }} as _value_issues,
        party_id,
        {{ bankseg.hash_pii('full_name_clean') }} as full_name_hash,
        {{ bankseg.hash_pii(bankseg.match_name('full_name_clean')) }} as match_name_hash,
        {{ bankseg.hash_pii('national_id_clean') }} as national_id_hash,
        {{ bankseg.is_valid_prc_national_id('national_id_clean') }} as has_valid_national_id,
        {{ bankseg.hash_pii('phone_e164') }} as phone_hash,
        {{ bankseg.hash_pii('email_clean') }} as email_hash,
        {{ bankseg.checked_value('birth_date', value_checks) }} as birth_date,
        coalesce(gender, 'unknown') as gender,
        occupation,
        {{ bankseg.checked_value('annual_income_amount', value_checks) }} as annual_income_amount,
        income_currency,
        marital_status,
        education_level,
        {{ bankseg.initcap_words('city_raw') }} as city,
        {{ bankseg.checked_value('onboarding_date', value_checks) }} as onboarding_date,
        {{ bankseg.checked_value('home_branch_code', value_checks) }} as home_branch_code,
        extracted_at
    from keyed
)

select * from final
