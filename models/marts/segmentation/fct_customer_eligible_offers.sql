{#-
    Offers each customer may receive on the as-of date: the offers (ref_offers) of every playbook action that
    applies to the customer's tier and persona, kept only when suitable - the offer's risk rating (R1-R5) is
    not above the customer's valid KYC risk level (C1-C5); without a valid KYC level only ratings up to
    R{{ var('segmentation_max_rating_without_valid_kyc') }} (doc block offer_suitability).
-#}
with

segments as (
    select * from {{ ref('fct_customer_segments') }}
    where is_as_of_month
),

customers as (
    select * from {{ ref('dim_customers') }}
),

playbook as (
    select * from {{ ref('ref_segment_playbook') }}
),

offers as (
    select * from {{ ref('ref_offers') }}
),

applicable_actions as (
    select distinct
        segments.customer_id,
        customers.valid_kyc_risk_level,
        playbook.action_code
    from segments
    inner join customers on segments.customer_id = customers.customer_id
    inner join playbook
        on
            segments.tier_code = playbook.tier_code
            and (
                playbook.persona_phrase is null
                or {{ persona_has_phrase('segments.persona_name', 'playbook.persona_phrase') }}
            )
),

rated as (
    select
        applicable_actions.customer_id,
        applicable_actions.action_code,
        applicable_actions.valid_kyc_risk_level,
        offers.offer_code,
        offers.product_code,
        offers.offer_risk_rating,
        cast(substring(offers.offer_risk_rating, 2) as integer) as offer_risk_number,
        cast(substring(applicable_actions.valid_kyc_risk_level, 2) as integer) as kyc_risk_number
    from applicable_actions
    inner join offers on applicable_actions.action_code = offers.action_code
),

final as (
    select *
    from rated
    where
        offer_risk_number <= coalesce(kyc_risk_number, {{ var('segmentation_max_rating_without_valid_kyc') }})
)

select
    customer_id,
    cast(offer_code as varchar) as offer_code,
    cast(action_code as varchar) as action_code,
    cast(product_code as varchar) as product_code,
    cast(offer_risk_rating as varchar) as offer_risk_rating,
    cast(valid_kyc_risk_level as varchar) as valid_kyc_risk_level
from final
