{#-
    The lifecycle definitions, written once and used by dim_customers (as of the as-of date) and
    fct_customer_features_monthly (as of each month end). See the doc blocks active_customer,
    dormant_customer and churned_customer; the thresholds are vars.
      days_since_activity  days from the last activity (account or card transaction, digital login) to the
                           observation date; null when the customer never had any
      open_products        products open on the observation date
      aum                  assets under management at the observation date
      had_products         the customer held a product on or before the observation date
-#}
{% macro is_churned(days_since_activity, open_products, aum, had_products) -%}
    (
        {{ had_products }}
        and (
            {{ open_products }} = 0
            or (
                coalesce({{ days_since_activity }}, {{ var('churn_inactivity_days') }}) >= {{ var('churn_inactivity_days') }}
                and coalesce({{ aum }}, 0) < {{ var('churn_max_aum_amount') }}
            )
        )
    )
{%- endmacro %}

{% macro is_active(days_since_activity, open_products, aum, had_products) -%}
    (
        {{ had_products }}
        and not {{ bankseg.is_churned(days_since_activity, open_products, aum, had_products) }}
        and coalesce({{ days_since_activity }} < {{ var('active_window_days') }}, false)
    )
{%- endmacro %}

{% macro is_dormant(days_since_activity, open_products, aum, had_products) -%}
    (
        not {{ bankseg.is_churned(days_since_activity, open_products, aum, had_products) }}
        and {{ had_products }}
        and coalesce({{ days_since_activity }}, {{ var('dormant_after_days') }}) >= {{ var('dormant_after_days') }}
    )
{%- endmacro %}

{% macro lifecycle_status(days_since_activity, open_products, aum, had_products) -%}
    case
        when not {{ had_products }} then 'prospect'
        when {{ bankseg.is_churned(days_since_activity, open_products, aum, had_products) }} then 'churned'
        when {{ bankseg.is_active(days_since_activity, open_products, aum, had_products) }} then 'active'
        when {{ bankseg.is_dormant(days_since_activity, open_products, aum, had_products) }} then 'dormant'
        else 'inactive'
    end
{%- endmacro %}
