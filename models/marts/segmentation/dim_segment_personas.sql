-- Published copy, with an enforced contract, of the Python model int_segment_personas.
with

source_model as (
    select * from {{ ref('int_segment_personas') }}
),

final as (
    select
        cast(model_version as varchar) as model_version,
        cast(cluster_id as integer) as cluster_id,
        cast(persona_name as varchar) as persona_name,
        cast(persona_name_zh as varchar) as persona_name_zh,
        cast(customer_count as integer) as customer_count,
        cast(customer_share as double) as customer_share,
        cast(median_aum_amount as double) as median_aum_amount,
        cast(top_features as varchar) as top_features,
        cast(top_features_json as varchar) as top_features_json,
        cast(is_current_model as boolean) as is_current_model
    from source_model
)

select
    model_version,
    cluster_id,
    persona_name,
    persona_name_zh,
    customer_count,
    customer_share,
    median_aum_amount,
    top_features,
    top_features_json,
    is_current_model
from final
