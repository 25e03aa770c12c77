-- Published copy, with an enforced contract, of the Python model int_segment_models.
with

source_model as (
    select * from {{ ref('int_segment_models') }}
),

final as (
    select
        cast(model_version as varchar) as model_version,
        cast(previous_model_version as varchar) as previous_model_version,
        cast(as_of_date as date) as as_of_date,
        cast(is_current as boolean) as is_current,
        cast(k as integer) as k,
        cast(k_selection_rule as varchar) as k_selection_rule,
        cast(silhouette_score as double) as silhouette_score,
        cast(davies_bouldin_score as double) as davies_bouldin_score,
        cast(stability_ari as double) as stability_ari,
        cast(customer_count as integer) as customer_count,
        cast(feature_columns_json as varchar) as feature_columns_json,
        cast(scaling_json as varchar) as scaling_json,
        cast(centroids_json as varchar) as centroids_json,
        cast(cluster_sizes_json as varchar) as cluster_sizes_json,
        cast(k_selection_json as varchar) as k_selection_json,
        cast(personas_json as varchar) as personas_json,
        cast(entry_json as varchar) as entry_json
    from source_model
)

select
    model_version,
    previous_model_version,
    as_of_date,
    is_current,
    k,
    k_selection_rule,
    silhouette_score,
    davies_bouldin_score,
    stability_ari,
    customer_count,
    feature_columns_json,
    scaling_json,
    centroids_json,
    cluster_sizes_json,
    k_selection_json,
    personas_json,
    entry_json
from final
