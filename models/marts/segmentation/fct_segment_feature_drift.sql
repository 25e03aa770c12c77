-- Published copy, with an enforced contract, of the Python model int_segment_feature_drift.
with

source_model as (
    select * from {{ ref('int_segment_feature_drift') }}
),

final as (
    select
        cast(model_version as varchar) as model_version,
        cast(month_end_date as date) as month_end_date,
        cast(feature_name as varchar) as feature_name,
        cast(psi as double) as psi,
        cast(drift_status as varchar) as drift_status,
        cast(is_feature_flagged as boolean) as is_feature_flagged,
        cast(mean_psi as double) as mean_psi,
        cast(max_psi as double) as max_psi,
        cast(is_refit_required as boolean) as is_refit_required,
        cast(refit_reasons as varchar) as refit_reasons
    from source_model
)

select
    model_version,
    month_end_date,
    feature_name,
    psi,
    drift_status,
    is_feature_flagged,
    mean_psi,
    max_psi,
    is_refit_required,
    refit_reasons
from final
