{#-
    Candidate pairs of person records that share an identifier, with the first match rule they satisfy
    (priorities in the ref_identity_match_rules seed). Blocked identifier values never pair records.
    A pair whose two valid national ids differ, or whose birth dates differ, is never linked; it is kept
    with link_blocked_reason for review (int_identity_conflicts). A phone or e-mail alone links two records
    only when it belongs to one person (every record carrying it that has a birth date has the same one),
    so a household phone never merges two people.
-#}
with

records as (
    select * from {{ ref('int_identity_records') }}
),

blocked as (
    select * from {{ ref('int_identity_blocked_values') }}
),

identifier_people as (
    -- how many people (distinct birth dates, at least one) carry each phone and e-mail
    select
        'phone' as identifier_type,
        phone_hash as identifier_hash,
        greatest(count(distinct birth_date), 1) as person_count
    from records
    where phone_hash is not null
    group by phone_hash
    union all
    select
        'email' as identifier_type,
        email_hash as identifier_hash,
        greatest(count(distinct birth_date), 1) as person_count
    from records
    where email_hash is not null
    group by email_hash
),

rules as (
    select * from {{ ref('ref_identity_match_rules') }}
),

usable as (
    select
        records.record_key,
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
    left join identifier_people as phone_people
        on phone_people.identifier_type = 'phone' and records.phone_hash = phone_people.identifier_hash
    left join identifier_people as email_people
        on email_people.identifier_type = 'email' and records.email_hash = email_people.identifier_hash
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
        coalesce(left_record.birth_date <> right_record.birth_date, false) as birth_date_conflict
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
            when same_phone and is_single_person_phone then 'phone_only'
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
