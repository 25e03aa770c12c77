{#-
    Identifier values that must not link records: placeholders from the ref_identity_junk_values seed,
    and phones or e-mails shared by more people than var('identity_max_people_per_identifier'). People are
    counted by distinct birth dates among the records carrying the value (at least one), so one person's
    many records - with or without a birth date - count once.
-#}
with

records as (
    select * from {{ ref('int_identity_records') }}
),

junk_values as (
    select * from {{ ref('ref_identity_junk_values') }}
),

junk_hashes as (
    select
        identifier_type,
        case identifier_type
            when 'phone' then {{ bankseg.hash_pii(bankseg.normalize_phone('raw_value')) }}
            when 'email' then {{ bankseg.hash_pii(bankseg.normalize_email('raw_value')) }}
        end as identifier_hash,
        reason
    from junk_values
),

identifier_uses as (
    select
        'phone' as identifier_type,
        phone_hash as identifier_hash,
        record_key,
        birth_date
    from records
    where phone_hash is not null
    union all
    select
        'email' as identifier_type,
        email_hash as identifier_hash,
        record_key,
        birth_date
    from records
    where email_hash is not null
),

usage as (
    select
        identifier_type,
        identifier_hash,
        count(*) as record_count,
        greatest(count(distinct birth_date), 1) as person_count
    from identifier_uses
    group by identifier_type, identifier_hash
),

final as (
    select
        usage.identifier_type,
        usage.identifier_hash,
        coalesce(
            junk_hashes.reason,
            'shared by ' || cast(usage.person_count as {{ dbt.type_string() }}) || ' people'
        ) as blocked_reason,
        usage.record_count,
        usage.person_count
    from usage
    left join junk_hashes
        on
            usage.identifier_type = junk_hashes.identifier_type
            and usage.identifier_hash = junk_hashes.identifier_hash
    where
        junk_hashes.identifier_hash is not null
        or usage.person_count > {{ var('identity_max_people_per_identifier') }}
)

select * from final
