{#-
    RFM scoring helpers for int_segment_tier_scores_monthly (definitions: doc block segment_rfm_scores).

    cut_point_score: the score of `value` against an ascending list of cut points (a DuckDB double[] expression):
      - higher is better (frequency, monetary): 1 + the number of cut points <= value;
      - lower is better (recency in days):      1 + the number of cut points >= value.
    A missing value scores 1. Cut points beyond the list's length index to NULL and count nothing, so one
    expression serves any list of up to `max_cut_points` points (a data test on the seed enforces that limit).
-#}
{% macro cut_point_score(value, cut_points, lower_is_better=false, max_cut_points=9) -%}
    case
        when {{ value }} is null then 1
        else 1
            {%- for i in range(1, max_cut_points + 1) %}
            + case when {{ cut_points }}[{{ i }}] {{ '>=' if lower_is_better else '<=' }} {{ value }} then 1 else 0 end
            {%- endfor %}
    end
{%- endmacro %}

{#-
    quantile_score: equal-count groups within each month end, 1 (worst) to `levels` (best), from the rank with
    ties sharing the lowest rank: 1 + floor(levels * (rank - 1) / n), n = non-missing values of the month.
    Lower-is-better values rank the fewest days best. A missing value scores 1.
-#}
{% macro quantile_score(value, partition_by, levels, lower_is_better=false) -%}
    case
        when {{ value }} is null then 1
        else cast(1 + floor(
            {{ levels }} * (
                rank() over (
                    partition by {{ partition_by }}, {{ value }} is null
                    order by {{ value }} {{ 'desc' if lower_is_better else 'asc' }}
                ) - 1
            )
            / count({{ value }}) over (partition by {{ partition_by }})
        ) as integer)
    end
{%- endmacro %}
