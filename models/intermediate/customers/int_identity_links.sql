{#-
    Candidate pairs of person records that share an identifier, with the first match rule they satisfy
    (priorities in the ref_identity_match_rules seed). Blocked identifier values never pair records.
    A pair whose two valid national ids differ, or whose birth dates differ, is never linked; it is kept
    with link_blocked_reason for review (int_identity_conflicts). A phone or e-mail alone links two records
    only when it belongs to one person (one birth date among the records carrying it, and no undated record
    with a legal name the dated ones do not have), so a household phone never merges two people.
    Systems listed in var identity_shared_key_systems store the core banking party id as their person key
    (a customer information file number shared across systems): such a record links to the party of that id.
-#}
{%- set shared_key_systems = var('identity_shared_key_systems') or [] %}
with

records as (
    select * from {{ ref('int_identity_records') }}
),

blocked as (
    select * from {{ ref('int_identity_blocked_values') }}
),

{% for identifier in ['phone', 'email'] %}
    {{ identifier }}_dated_names as (
        select distinct
            {{ identifier }}_hash as identifier_hash,
            match_name_hash
        from records
        where {{ identifier }}_hash is not null and birth_date is not null
    ),

    {{ identifier }}_people as (
    -- people carrying the value: one per distinct birth date, plus one per legal name on records without a
    -- birth date that no dated record carries (digital banking display names are nicknames: not counted);
    -- for a phone, at least one per distinct e-mail address on its records
        select
            records.{{ identifier }}_hash as identifier_hash,
            greatest(
                count(distinct records.birth_date)
                + count(
                    distinct
                    case
                        when
                            records.birth_date is null
                            and records.holds_legal_name
                            and dated_names.match_name_hash is null
                            then records.match_name_hash
                    end
                ),
                -- for a phone: two e-mail addresses on it are two people, until proven otherwise
                {{ 'count(distinct records.email_hash)' if identifier == 'phone' else '1' }},
                1
            ) as person_count
        from records
        left join {{ identifier }}_dated_names as dated_names
            on
                records.{{ identifier }}_hash = dated_names.identifier_hash
                and records.match_name_hash = dated_names.match_name_hash
        where records.{{ identifier }}_hash is not null
        group by records.{{ identifier }}_hash
    ),

{% endfor %}
rules as (
    select * from {{ ref('ref_identity_match_rules') }}
),

usable as (
    select
        records.record_key,
        records.source_system,
        records.system_key,
        records.national_id_hash,
        case when blocked_phone.identifier_hash is null then records.phone_hash end as phone_hash,
        case when blocked_email.identifier_hash is null then records.email_hash end as email_hash,
        records.match_name_hash,
        records.birth_date,
        coalesce(phone_people.person_count = 1, false) as is_single_person_phone,
        coalesce(email_people.person_count = 1, false) as is_single_person_email
    from records
    left join blocked as blocked_phone
        on blocked_phone.identifier_type = 'phone' and records.phone_hash = blocked_phone.identifier_hash
    left join blocked as blocked_email
        on blocked_email.identifier_type = 'email' and records.email_hash = blocked_email.identifier_hash
    left join phone_people on records.phone_hash = phone_people.identifier_hash
    left join email_people on records.email_hash = email_people.identifier_hash
),

candidate_pairs as (
    select
        left_record.record_key as left_record_key,
        right_record.record_key as right_record_key
    from usable as left_record
    inner join usable as right_record
        on
            left_record.phone_hash = right_record.phone_hash
            and left_record.record_key < right_record.record_key
    union
    select
        left_record.record_key as left_record_key,
        right_record.record_key as right_record_key
    from usable as left_record
    inner join usable as right_record
        on
            left_record.email_hash = right_record.email_hash
            and left_record.record_key < right_record.record_key
    union
    select
        left_record.record_key as left_record_key,
        right_record.record_key as right_record_key
    from usable as left_record
    inner join usable as right_record
        on
            left_record.match_name_hash = right_record.match_name_hash
            and left_record.birth_date = right_record.birth_date
            and left_record.record_key < right_record.record_key
    {%- if shared_key_systems %}
    union
    select
        left_record.record_key as left_record_key,
        right_record.record_key as right_record_key
    from usable as left_record
    inner join usable as right_record
        on
            left_record.system_key = right_record.system_key
            and left_record.record_key < right_record.record_key
            and {{ bankseg.is_shared_person_key('left_record', 'right_record', shared_key_systems) }}
    {%- endif %}
),

compared as (
    select
        candidate_pairs.left_record_key,
        candidate_pairs.right_record_key,
        coalesce(left_record.phone_hash = right_record.phone_hash, false) as same_phone,
        coalesce(left_record.email_hash = right_record.email_hash, false) as same_email,
        coalesce(left_record.match_name_hash = right_record.match_name_hash, false) as same_name,
        coalesce(left_record.birth_date = right_record.birth_date, false) as same_birth_date,
        coalesce(left_record.national_id_hash = right_record.national_id_hash, false) as same_national_id,
        coalesce(left_record.is_single_person_phone, false) as is_single_person_phone,
        coalesce(left_record.is_single_person_email, false) as is_single_person_email,
        coalesce(left_record.national_id_hash <> right_record.national_id_hash, false) as national_id_conflict,
        coalesce(left_record.birth_date <> right_record.birth_date, false) as birth_date_conflict,
        coalesce(left_record.email_hash <> right_record.email_hash, false) as email_conflict,
        {% if shared_key_systems -%}
            coalesce(
                left_record.system_key = right_record.system_key
                and {{ bankseg.is_shared_person_key('left_record', 'right_record', shared_key_systems) }},
                false
            )
        {%- else -%}
            false
        {%- endif %} as same_shared_person_key
    from candidate_pairs
    inner join usable as left_record on candidate_pairs.left_record_key = left_record.record_key
    inner join usable as right_record on candidate_pairs.right_record_key = right_record.record_key
),

ruled as (
    select
        left_record_key,
        right_record_key,
        case
            when national_id_conflict then 'different national ids'
            when birth_date_conflict and not same_national_id then 'different birth dates'
        end as link_blocked_reason,
        case
            when same_national_id then 'national_id'
            when same_phone and same_email then 'phone_and_email'
            when same_phone and same_name then 'phone_and_name'
            when same_phone and same_birth_date then 'phone_and_birth_date'
            when same_email and same_name then 'email_and_name'
            when same_email and same_birth_date then 'email_and_birth_date'
            when same_name and same_birth_date then 'name_and_birth_date'
            when same_email and is_single_person_email then 'email_only'
            when same_phone and is_single_person_phone and not email_conflict then 'phone_only'
            when same_shared_person_key then 'shared_person_key'
        end as match_rule
    from compared
),

final as (
    select
        ruled.left_record_key,
        ruled.right_record_key,
        ruled.match_rule,
        rules.priority as match_priority,
        ruled.link_blocked_reason,
        ruled.link_blocked_reason is null and ruled.match_rule is not null as is_linked
    from ruled
    left join rules on ruled.match_rule = rules.match_rule
    where ruled.match_rule is not null or ruled.link_blocked_reason is not null
)

select * from final
