{#-
    Every accepted campaign member (treatment and hold-out control) with the customer the CRM contact resolved to,
    the segments the customer was in when the campaign reached them (the latest month end of the history before
    the contact date; 'unknown' before the history starts or for a contact who is not a bank customer) and
    whether they converted (doc block kpi_campaign_conversion): the campaign's product opened within
    var('campaign_attribution_days') days of the contact date, as recorded either by the CRM (the response's
    product_opened_date) or by the product systems (a product of that code opened by the customer). The earlier
    of the two dates counts. A campaign without a single product cannot convert anyone. Nothing dated after the
    as-of date is used: members contacted later are left out, and a member whose window ends after it may still
    convert (is_attribution_complete false).
-#}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

campaign_contacts as (
    select * from {{ ref('stg_crm__campaign_contacts') }}
),

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

responses as (
    select * from {{ ref('stg_crm__responses') }}
),

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

products as (
    select * from {{ ref('int_customer_products') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

members as (
    select
        campaign_contacts.campaign_contact_id,
        campaign_contacts.campaign_id,
        identity_map.customer_id,
        campaign_contacts.is_control_group,
        campaign_contacts.contact_date,
        cast({{ dbt.dateadd('day', var('campaign_attribution_days'), 'campaign_contacts.contact_date') }} as date)
            as attribution_end_date,
        campaigns.product_code,
        as_of_dates.as_of_date
    from campaign_contacts
    inner join campaigns on campaign_contacts.campaign_id = campaigns.campaign_id
    cross join as_of_dates
    left join identity_map
        on
            identity_map.source_system = 'crm'
            and campaign_contacts.contact_id = identity_map.system_key
    where campaign_contacts.contact_date <= as_of_dates.as_of_date
),

crm_openings as (
    select
        members.campaign_contact_id,
        min(responses.product_opened_date) as opened_date
    from members
    inner join responses
        on
            members.campaign_contact_id = responses.campaign_contact_id
            and members.product_code = responses.product_code
            and members.contact_date <= responses.product_opened_date
            and members.attribution_end_date >= responses.product_opened_date
            and members.as_of_date >= responses.product_opened_date
    group by members.campaign_contact_id
),

product_openings as (
    select
        members.campaign_contact_id,
        min(products.open_date) as opened_date
    from members
    inner join products
        on
            members.customer_id = products.customer_id
            and members.product_code = products.product_code
            and members.contact_date <= products.open_date
            and members.attribution_end_date >= products.open_date
            and members.as_of_date >= products.open_date
    group by members.campaign_contact_id
),

segment_months as (
    select
        members.campaign_contact_id,
        max(segments.month_end_date) as segment_month_end_date
    from members
    inner join segments
        on
            members.customer_id = segments.customer_id
            and members.contact_date > segments.month_end_date
    group by members.campaign_contact_id
),

final as (
    select
        members.campaign_contact_id,
        members.campaign_id,
        members.customer_id,
        members.is_control_group,
        members.contact_date,
        members.attribution_end_date,
        members.attribution_end_date <= members.as_of_date as is_attribution_complete,
        members.product_code,
        segment_months.segment_month_end_date,
        coalesce(segments.tier_code, 'unknown') as tier_code,
        coalesce(cast(segments.cluster_id as varchar), 'unknown') as cluster_code,
        case
            when crm_openings.opened_date is null then product_openings.opened_date
            when product_openings.opened_date is null then crm_openings.opened_date
            else least(crm_openings.opened_date, product_openings.opened_date)
        end as converted_date,
        case
            when crm_openings.opened_date is not null and product_openings.opened_date is not null then 'both'
            when crm_openings.opened_date is not null then 'crm_response'
            when product_openings.opened_date is not null then 'product_system'
        end as conversion_evidence,
        crm_openings.opened_date is not null or product_openings.opened_date is not null as is_converted
    from members
    left join crm_openings on members.campaign_contact_id = crm_openings.campaign_contact_id
    left join product_openings on members.campaign_contact_id = product_openings.campaign_contact_id
    left join segment_months on members.campaign_contact_id = segment_months.campaign_contact_id
    left join segments
        on
            members.customer_id = segments.customer_id
            and segment_months.segment_month_end_date = segments.month_end_date
)

select * from final
