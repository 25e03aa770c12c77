{#-
    The tier thresholds seed (ref_segment_tier_config) is complete and well formed, so the tier rules of
    int_segment_tier_scores_monthly never run on a silently missing or malformed parameter, and its tier_ladder
    is the ladder of ref_segment_tiers.
    One row per problem, naming the parameter.
-#}
with

parameters as (
    select
        parameter,
        value
    from {{ ref('ref_segment_tier_config') }}
),

required as (
    select unnest([
        'rfm_method', 'rfm_score_levels', 'recency_days_cut_points', 'frequency_cut_points', 'monetary_cut_points',
        'churned_lifecycle_statuses', 'new_max_tenure_months', 'at_risk_lifecycle_statuses', 'at_risk_lookback_months',
        'at_risk_aum_decline_rate', 'at_risk_activity_decline_rate', 'at_risk_min_aum_amount',
        'high_value_min_aum_amount', 'high_value_min_rfm_score', 'potential_min_aum_amount', 'potential_min_rfm_score',
        'mass_lifecycle_statuses', 'tier_ladder', 'downgrade_after_months'
    ]) as parameter
),

missing as (
    select
        required.parameter,
        'missing or empty' as problem
    from required
    left join parameters on required.parameter = parameters.parameter
    where parameters.value is null or trim(parameters.value) = ''
),

duplicated as (
    select
        parameter,
        'listed more than once' as problem
    from parameters
    group by parameter
    having count(*) > 1
),

cut_points as (
    select
        parameter,
        list_transform(string_split(value, '|'), lambda point: try_cast(trim(point) as double)) as points
    from parameters
    where parameter in ('recency_days_cut_points', 'frequency_cut_points', 'monetary_cut_points')
),

bad_cut_points as (
    select
        parameter,
        case
            when len(list_filter(points, lambda point: point is null)) > 0
                then 'a cut point is not a number'
            when points <> list_sort(points) then 'cut points are not ascending'
            when len(points) > 9 then 'more than 9 cut points (the scoring supports up to 9)'
        end as problem
    from cut_points
),

bad_numbers as (
    select
        parameter,
        'not a number' as problem
    from parameters
    where
        parameter in (
            'rfm_score_levels', 'new_max_tenure_months', 'at_risk_lookback_months', 'at_risk_aum_decline_rate',
            'at_risk_activity_decline_rate', 'at_risk_min_aum_amount', 'high_value_min_aum_amount',
            'high_value_min_rfm_score', 'potential_min_aum_amount', 'potential_min_rfm_score', 'downgrade_after_months'
        )
        and try_cast(value as double) is null
),

ladder_seed as (
    select string_agg(tier_code, '|' order by ladder_rank desc) as ladder
    from {{ ref('ref_segment_tiers') }}
    where is_ladder_tier
),

bad_ladder as (
    select
        parameters.parameter,
        'differs from the ladder of ref_segment_tiers (' || ladder_seed.ladder || ')' as problem
    from parameters
    cross join ladder_seed
    where
        parameters.parameter = 'tier_ladder'
        and parameters.value is distinct from ladder_seed.ladder
),

bad_method as (
    select
        parameter,
        'must be fixed or quantile' as problem
    from parameters
    where
        parameter = 'rfm_method'
        and value not in ('fixed', 'quantile')
)

select * from missing
union all
select * from duplicated
union all
select * from bad_cut_points
where problem is not null
union all
select * from bad_numbers
union all
select * from bad_method
union all
select * from bad_ladder
