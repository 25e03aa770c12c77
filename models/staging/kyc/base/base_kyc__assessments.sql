with

raw as (
    {{ bankseg.raw_rows('kyc', 'assessments') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

-- orphan check only: the subjects that were accepted into stg_kyc__subjects
accepted_subjects as (
    select subject_id
    from {{ ref('base_kyc__subjects') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.assessment_id') }} as assessment_id,
        {{ bankseg.clean_code('raw.subject_id') }} as subject_id,
        raw.assessment_date as assessment_date_raw,
        {{ bankseg.try_parse_date('raw.assessment_date') }} as assessment_date,
        {{ bankseg.clean_code('raw.risk_level') }} as risk_level_code,
        {{ bankseg.clean_code('raw.investment_horizon') }} as investment_horizon_code,
        {{ bankseg.clean_code('raw.investment_experience') }} as investment_experience_code,
        raw.valid_until as valid_until_raw,
        {{ bankseg.try_parse_date('raw.valid_until') }} as valid_until,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        risk.code as risk_level,
        horizon.code as investment_horizon,
        experience.code as investment_experience,
        accepted_subjects.subject_id as accepted_subject_id
    from typed
    left join code_map as risk
        on risk.code_set = 'kyc_risk_level' and typed.risk_level_code = risk.raw_code
    left join code_map as horizon
        on horizon.code_set = 'investment_horizon' and typed.investment_horizon_code = horizon.raw_code
    left join code_map as experience
        on experience.code_set = 'investment_experience' and typed.investment_experience_code = experience.raw_code
    left join accepted_subjects
        on typed.subject_id = accepted_subjects.subject_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used assessment id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.assessment_id
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
            ['missing assessment_id', 'assessment_id is null'],
            ['duplicate key', '_is_duplicate_key and assessment_id is not null'],
            ['missing subject_id', 'subject_id is null'],
            ['orphan subject_id', 'subject_id is not null and accepted_subject_id is null'],
            ['missing assessment_date', "nullif(trim(assessment_date_raw), '') is null"],
            ['unparseable assessment_date', bankseg.is_unparseable('assessment_date_raw', 'assessment_date')],
            ['unparseable valid_until', bankseg.is_unparseable('valid_until_raw', 'valid_until')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['valid until before assessment', 'valid_until < assessment_date'],
            ['missing risk_level', 'risk_level_code is null'],
            ['unknown risk_level', 'risk_level_code is not null and risk_level is null'],
            ['unknown investment_horizon', 'investment_horizon_code is not null and investment_horizon is null'],
            [
                'unknown investment_experience',
                'investment_experience_code is not null and investment_experience is null',
            ],
        ]) }} as _quarantine_reason,
        assessment_id,
        subject_id,
        assessment_date,
        risk_level,
        cast(substr(risk_level, 2, 1) as integer) as risk_level_rank,
        investment_horizon,
        investment_experience,
        valid_until,
        extracted_at
    from keyed
)

select * from final
