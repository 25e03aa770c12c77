{#-
    Campaign performance per campaign and segment (doc blocks kpi_campaign_conversion and kpi_campaign_uplift):
    members contacted (treatment) and held out (control), conversions within var('campaign_attribution_days')
    days of the contact, both conversion rates, the uplift (treated minus control conversion rate) with its 95%
    confidence interval, and cost. Segments are those of the customer when the campaign reached them
    (int_kpi_campaign_members): segment_type 'all' is the whole campaign, and the rows of each of 'tier' and
    'cluster' add up to it ('unknown' holds members without a segment at the time).
-#}
{%- set z = 1.959964 -%}
with

members as (
    select * from {{ ref('int_kpi_campaign_members') }}
),

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
),

segment_members as (
    {% for segment_type, code_column in [('all', "'all'"), ('tier', 'tier_code'), ('cluster', 'cluster_code')] -%}
        select
            campaign_id,
            '{{ segment_type }}' as segment_type,
            {{ code_column }} as segment_code,
            is_control_group,
            is_converted,
            is_attribution_complete
        from members
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}
),

counts as (
    select
        campaign_id,
        segment_type,
        segment_code,
        sum(case when not is_control_group then 1 else 0 end) as contacted_count,
        sum(case when not is_control_group and is_converted then 1 else 0 end) as contacted_converted_count,
        sum(case when is_control_group then 1 else 0 end) as control_count,
        sum(case when is_control_group and is_converted then 1 else 0 end) as control_converted_count,
        min(case when is_attribution_complete then 1 else 0 end) = 1 as is_attribution_complete
    from segment_members
    group by campaign_id, segment_type, segment_code
),

rates as (
    select
        *,
        contacted_converted_count * 1.0 / nullif(contacted_count, 0) as conversion_rate,
        control_converted_count * 1.0 / nullif(control_count, 0) as control_conversion_rate,
        -- Agresti-Caffo: one conversion and one non-conversion added to each group before the normal approximation
        (contacted_converted_count + 1.0) / (contacted_count + 2) as adjusted_conversion_rate,
        (control_converted_count + 1.0) / (control_count + 2) as adjusted_control_conversion_rate
    from counts
),

uplifts as (
    select
        *,
        conversion_rate - control_conversion_rate as uplift,
        adjusted_conversion_rate - adjusted_control_conversion_rate as adjusted_uplift,
        sqrt(
            adjusted_conversion_rate * (1 - adjusted_conversion_rate) / (contacted_count + 2)
            + adjusted_control_conversion_rate * (1 - adjusted_control_conversion_rate) / (control_count + 2)
        ) as uplift_standard_error
    from rates
),

final as (
    select
        uplifts.campaign_id,
        campaigns.campaign_name,
        campaigns.objective,
        campaigns.product_code,
        campaigns.channel,
        campaigns.start_date,
        campaigns.end_date,
        uplifts.segment_type,
        uplifts.segment_code,
        uplifts.is_attribution_complete,
        uplifts.contacted_count,
        uplifts.contacted_converted_count,
        uplifts.conversion_rate,
        uplifts.control_count,
        uplifts.control_converted_count,
        uplifts.control_conversion_rate,
        uplifts.uplift,
        uplifts.uplift_standard_error,
        case
            when uplifts.contacted_count > 0 and uplifts.control_count > 0
                then greatest(uplifts.adjusted_uplift - {{ z }} * uplifts.uplift_standard_error, -1)
        end as uplift_ci_lower,
        case
            when uplifts.contacted_count > 0 and uplifts.control_count > 0
                then least(uplifts.adjusted_uplift + {{ z }} * uplifts.uplift_standard_error, 1)
        end as uplift_ci_upper,
        uplifts.uplift * uplifts.contacted_count as incremental_conversion_count,
        uplifts.contacted_count * campaigns.cost_per_contact_amount * fx_rates.rate_to_reporting as campaign_cost_amount
    from uplifts
    inner join campaigns on uplifts.campaign_id = campaigns.campaign_id
    left join fx_rates on campaigns.currency = fx_rates.currency
)

select
    campaign_id,
    campaign_name,
    objective,
    product_code,
    channel,
    start_date,
    end_date,
    cast(segment_type as varchar) as segment_type,
    cast(segment_code as varchar) as segment_code,
    cast({{ var('campaign_attribution_days') }} as integer) as attribution_days,
    is_attribution_complete,
    cast(contacted_count as integer) as contacted_count,
    cast(contacted_converted_count as integer) as contacted_converted_count,
    cast(conversion_rate as double) as conversion_rate,
    cast(control_count as integer) as control_count,
    cast(control_converted_count as integer) as control_converted_count,
    cast(control_conversion_rate as double) as control_conversion_rate,
    cast(uplift as double) as uplift,
    cast(uplift_standard_error as double) as uplift_standard_error,
    cast(uplift_ci_lower as double) as uplift_ci_lower,
    cast(uplift_ci_upper as double) as uplift_ci_upper,
    coalesce(uplift_ci_lower > 0 or uplift_ci_upper < 0, false) as is_uplift_significant,
    cast(incremental_conversion_count as double) as incremental_conversion_count,
    {{ bankseg.to_money('campaign_cost_amount') }} as campaign_cost_amount,
    {{ bankseg.to_money('campaign_cost_amount / nullif(contacted_converted_count, 0)') }}
        as cost_per_conversion_amount,
    {{ bankseg.to_money(
        'case when incremental_conversion_count > 0 then campaign_cost_amount / incremental_conversion_count end'
    ) }} as cost_per_incremental_conversion_amount,
    '{{ var("reporting_currency") }}' as currency
from final
