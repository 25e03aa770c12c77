{#-
    Audit history of current segment membership: one row per customer per version of its tier, cluster,
    persona and model (check strategy), taken at each build from the as-of month of fct_customer_segments.
-#}
{% snapshot snap_customer_segments %}

    {{
        config(
            schema='snapshots',
            unique_key='customer_id',
            strategy='check',
            check_cols=['tier_code', 'cluster_id', 'persona_name', 'model_version'],
        )
    }}

    select
        customer_id,
        month_end_date,
        tier_code,
        cluster_id,
        persona_name,
        model_version
    from {{ ref('fct_customer_segments') }}
    where is_as_of_month

{% endsnapshot %}
