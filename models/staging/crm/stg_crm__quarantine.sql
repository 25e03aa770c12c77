{{ config(tags=['quarantine', 'pii']) }}

with

contacts as (
    {{ bankseg.quarantine_rows(
        'base_crm__contacts', 'crm', 'contacts', 'contact_id', has_value_checks=true
    ) }}
),

campaigns as (
    {{ bankseg.quarantine_rows('base_crm__campaigns', 'crm', 'campaigns', 'campaign_id') }}
),

campaign_contacts as (
    {{ bankseg.quarantine_rows('base_crm__campaign_contacts', 'crm', 'campaign_contacts', 'campaign_contact_id') }}
),

responses as (
    {{ bankseg.quarantine_rows('base_crm__responses', 'crm', 'responses', 'response_id') }}
),

unioned as (
    select * from contacts
    union all
    select * from campaigns
    union all
    select * from campaign_contacts
    union all
    select * from responses
)

select * from unioned
