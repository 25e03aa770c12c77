{#-
    Every person record of every source system, in one shape, with the identifiers identity resolution
    matches on (already normalised and hashed in staging). Identifiers a system does not hold are null.
    A digital banking user without an e-mail address often logs in with one: its login id, normalised and
    hashed like an e-mail in staging, stands in - unless it is the user's phone number (a login that is a
    phone number hashes like a phone and so can never equal an e-mail hash).
-#}
{%- set systems = [
    {'model': 'stg_core_banking__parties', 'system': 'core_banking', 'key': 'party_id',
     'national_id': true, 'birth_date': true, 'email': true},
    {'model': 'stg_kyc__subjects', 'system': 'kyc', 'key': 'subject_id',
     'national_id': true, 'birth_date': true, 'email': false},
    {'model': 'stg_loans__borrowers', 'system': 'loans', 'key': 'borrower_id',
     'national_id': true, 'birth_date': true, 'email': true},
    {'model': 'stg_cards__cardholders', 'system': 'cards', 'key': 'cardholder_id',
     'national_id': true, 'birth_date': true, 'email': true},
    {'model': 'stg_digital__users', 'system': 'digital', 'key': 'user_id',
     'national_id': false, 'birth_date': false,
     'email': 'coalesce(email_hash, case when login_id_hash <> coalesce(phone_hash, \'\') then login_id_hash end)'},
    {'model': 'stg_crm__contacts', 'system': 'crm', 'key': 'contact_id',
     'national_id': false, 'birth_date': true, 'email': true},
    {'model': 'stg_feedback__respondents', 'system': 'feedback', 'key': 'respondent_id',
     'national_id': false, 'birth_date': false, 'email': true},
] -%}

with

{% for s in systems %}
    {{ s.system }}_records as (
        select
            '{{ s.system }}' as source_system,
            {{ s.key }} as system_key,
            {% if s.national_id -%}
                case when has_valid_national_id then national_id_hash end as national_id_hash,
            {%- else -%}
                cast(null as {{ dbt.type_string() }}) as national_id_hash,
            {%- endif %}
            phone_hash,
            {% if s.email is string -%} {{ s.email }} as email_hash,
            {%- elif s.email -%} email_hash,
            {%- else -%} cast(null as {{ dbt.type_string() }}) as email_hash, {%- endif %}
            match_name_hash,
            {% if s.birth_date -%} birth_date, {%- else -%} cast(null as date) as birth_date, {%- endif %}
            extracted_at as record_extracted_at
        from {{ ref(s.model) }}
    ),

{% endfor %}
source_systems as (
    select * from {{ ref('ref_source_systems') }}
),

unioned as (
    {% for s in systems -%}
        select * from {{ s.system }}_records
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}
),

final as (
    select
        unioned.source_system || ':' || unioned.system_key as record_key,
        unioned.source_system,
        unioned.system_key,
        source_systems.trust_rank as system_trust_rank,
        source_systems.holds_legal_name,
        unioned.record_extracted_at,
        unioned.national_id_hash,
        unioned.phone_hash,
        unioned.email_hash,
        unioned.match_name_hash,
        unioned.birth_date
    from unioned
    inner join source_systems on unioned.source_system = source_systems.source_system
)

select * from final
