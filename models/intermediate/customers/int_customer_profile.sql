{#-
    One row per customer with its demographic attributes chosen by survivorship:
      - birth date: from the most trusted system that holds one (ref_source_systems trust_rank), then the most
        recently extracted record, then the smallest key;
      - the attributes only the core banking customer master holds (gender, occupation, income, marital
        status, education, city, onboarding date, home branch): from the customer's most recently extracted
        core banking party (its "profile party"), then the smallest key.
    The chosen source of each is recorded.
-#}
with

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

parties as (
    select * from {{ ref('stg_core_banking__parties') }}
),

customer_records as (
    select
        identity_map.customer_id,
        identity_map.is_national_id_anchor,
        records.*
    from identity_map
    inner join records on identity_map.record_key = records.record_key
),

birth_date_candidates as (
    select
        customer_id,
        birth_date,
        source_system as birth_date_source_system,
        row_number() over (
            partition by customer_id
            order by system_trust_rank asc, record_extracted_at desc nulls last, record_key asc
        ) as candidate_rank
    from customer_records
    where birth_date is not null
),

profile_parties as (
    select
        customer_records.customer_id,
        parties.*,
        row_number() over (
            partition by customer_records.customer_id
            order by parties.extracted_at desc nulls last, parties.party_id asc
        ) as candidate_rank
    from customer_records
    inner join parties
        on customer_records.source_system = 'core_banking' and customer_records.system_key = parties.party_id
),

customer_summary as (
    select
        customer_id,
        count(*) as source_record_count,
        count(distinct source_system) as source_system_count,
        {{ bankseg.string_agg_sorted('distinct source_system', "','") }} as source_systems,
        sum(case when source_system = 'core_banking' then 1 else 0 end) as core_banking_party_count,
        max(case when is_national_id_anchor then 1 else 0 end) = 1 as has_verified_national_id
    from customer_records
    group by customer_id
),

final as (
    select
        customer_summary.customer_id,
        customer_summary.source_record_count,
        customer_summary.source_system_count,
        customer_summary.source_systems,
        customer_summary.core_banking_party_count,
        customer_summary.core_banking_party_count > 0 as is_bank_customer,
        customer_summary.has_verified_national_id,
        birth_date_candidates.birth_date,
        birth_date_candidates.birth_date_source_system,
        profile_parties.party_id as profile_party_id,
        case when profile_parties.party_id is not null then 'core_banking' end as profile_source_system,
        coalesce(profile_parties.gender, 'unknown') as gender,
        profile_parties.occupation,
        profile_parties.annual_income_amount,
        profile_parties.income_currency,
        profile_parties.marital_status,
        profile_parties.education_level,
        profile_parties.city,
        profile_parties.onboarding_date,
        profile_parties.home_branch_code
    from customer_summary
    left join birth_date_candidates
        on customer_summary.customer_id = birth_date_candidates.customer_id and birth_date_candidates.candidate_rank = 1
    left join profile_parties
        on customer_summary.customer_id = profile_parties.customer_id and profile_parties.candidate_rank = 1
)

select * from final
