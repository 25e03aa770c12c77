-- How identity resolution linked the person records of each source system: records per match rule, and the
-- customers they became. Compile with `dbt compile -s identity_resolution_summary` and run the SQL in
-- target/compiled against the warehouse.
with

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

by_rule as (
    select
        source_system,
        match_rule,
        count(*) as record_count,
        count(distinct customer_id) as customer_count
    from identity_map
    group by source_system, match_rule
)

select * from by_rule
order by source_system asc, record_count desc
