with

raw as (
    {{ bankseg.raw_rows('feedback', 'surveys') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

-- orphan check only: the respondent ids accepted by base_feedback__respondents
respondents as (
    select respondent_id from {{ ref('base_feedback__respondents') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.survey_response_id') }} as survey_response_id,
        {{ bankseg.clean_code('raw.respondent_id') }} as respondent_id,
        {{ bankseg.clean_code('raw.survey_type') }} as survey_type_code,
        raw.survey_date as survey_date_raw,
        {{ bankseg.try_parse_date('raw.survey_date') }} as survey_date,
        raw.score,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        {{ bankseg.clean_code('raw.topic') }} as topic_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        survey_type.code as survey_type,
        topic.code as topic,
        channels.channel,
        respondents.respondent_id as known_respondent_id
    from typed
    left join code_map as survey_type
        on survey_type.code_set = 'survey_type' and typed.survey_type_code = survey_type.raw_code
    left join code_map as topic
        on topic.code_set = 'survey_topic' and typed.topic_code = topic.raw_code
    left join channels
        on typed.channel_code = channels.channel_code
    left join respondents
        on typed.respondent_id = respondents.respondent_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used survey response id: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.survey_response_id
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
            ['missing survey_response_id', 'survey_response_id is null'],
            ['duplicate key', '_is_duplicate_key and survey_response_id is not null'],
            ['missing respondent_id', 'respondent_id is null'],
            ['orphan respondent_id', 'respondent_id is not null and known_respondent_id is null'],
            ['missing survey_type', 'survey_type_code is null'],
            ['unknown survey_type', 'survey_type_code is not null and survey_type is null'],
            ['missing survey_date', "nullif(trim(survey_date_raw), '') is null"],
            ['unparseable survey_date', bankseg.is_unparseable('survey_date_raw', 'survey_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['missing score', 'score is null'],
            ['score out of range', 'score not between 0 and 10'],
            ['unknown survey_topic', 'topic_code is not null and topic is null'],
            ['unknown channel_code', 'channel_code is not null and channel is null'],
        ]) }} as _quarantine_reason,
        survey_response_id,
        respondent_id,
        survey_type,
        survey_date,
        cast(score as integer) as score,
        -- NPS bands (see doc block feedback_nps_category): only for NPS surveys
        case
            when survey_type = 'nps' and score between 9 and 10 then 'promoter'
            when survey_type = 'nps' and score between 7 and 8 then 'passive'
            when survey_type = 'nps' and score between 0 and 6 then 'detractor'
        end as nps_category,
        channel,
        topic,
        extracted_at
    from keyed
)

select * from final
