{#-
    Layer schemas keep their plain names (staging, intermediate, marts, reference) in every target, so
    BI tools and auditors find `marts.dim_customers` rather than `main_marts.dim_customers`. A target that
    needs isolation (a CI run beside production) sets its own database file instead.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
