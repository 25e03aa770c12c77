{#-
    Next best action per customer on the as-of date: tier, cluster and persona, and the playbook action that
    applies - among the playbook rows of the customer's tier, one whose persona phrase is in the persona name
    comes before the tier's general rows, then the lowest priority number, then the playbook id. The
    eligible offers (fct_customer_eligible_offers, suitability-checked) are listed beside it.
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

eligible_offers as (
    select * from {{ ref('fct_customer_eligible_offers') }}
),

offer_lists as (
    select
        customer_id,
        count(*) as eligible_offer_count,
        {{ dbt.listagg('offer_code', "'|'", 'order by offer_code') }} as eligible_offer_codes
    from eligible_offers
    group by customer_id
),

candidates as (
    select
        segments.customer_id,
        playbook.playbook_id,
        row_number() over (
            partition by segments.customer_id
            order by
                case when playbook.persona_phrase is null then 1 else 0 end,
                playbook.priority,
                playbook.playbook_id
        ) as action_rank
    from segments
    inner join playbook
        on
            segments.tier_code = playbook.tier_code
            and (
                playbook.persona_phrase is null
                or {{ persona_has_phrase('segments.persona_name', 'playbook.persona_phrase') }}
            )
),

chosen as (
    select * from candidates
    where action_rank = 1
),

final as (
    select
        segments.customer_id,
        segments.month_end_date,
        segments.tier_code,
        segments.tier_name_en,
        segments.tier_name_zh,
        segments.cluster_id,
        segments.persona_name,
        segments.persona_name_zh,
        segments.model_version,
        customers.valid_kyc_risk_level,
        playbook.playbook_id,
        playbook.action_code as next_best_action_code,
        playbook.action_name_en as next_best_action_name_en,
        playbook.action_name_zh as next_best_action_name_zh,
        playbook.channel as action_channel,
        playbook.priority as action_priority,
        playbook.owning_team,
        offer_lists.eligible_offer_codes,
        coalesce(offer_lists.eligible_offer_count, 0) as eligible_offer_count
    from segments
    inner join customers on segments.customer_id = customers.customer_id
    left join chosen on segments.customer_id = chosen.customer_id
    left join playbook on chosen.playbook_id = playbook.playbook_id
    left join offer_lists on segments.customer_id = offer_lists.customer_id
)

select
    customer_id,
    month_end_date,
    tier_code,
    tier_name_en,
    tier_name_zh,
    cluster_id,
    persona_name,
    persona_name_zh,
    model_version,
    cast(valid_kyc_risk_level as varchar) as valid_kyc_risk_level,
    cast(playbook_id as varchar) as playbook_id,
    cast(next_best_action_code as varchar) as next_best_action_code,
    cast(next_best_action_name_en as varchar) as next_best_action_name_en,
    cast(next_best_action_name_zh as varchar) as next_best_action_name_zh,
    cast(action_channel as varchar) as action_channel,
    cast(action_priority as integer) as action_priority,
    cast(owning_team as varchar) as owning_team,
    cast(eligible_offer_codes as varchar) as eligible_offer_codes,
    cast(eligible_offer_count as integer) as eligible_offer_count
from final
