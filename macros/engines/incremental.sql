{#-
    The incremental behaviour models (int_transactions_enriched, int_card_transactions_enriched) use
    delete+insert and a delete post-hook. Plain Parquet tables on Spark support neither (that needs Delta, Iceberg
    or Hudi and the merge strategy), so on Spark these models are rebuilt whole: the same rows as a full refresh.
-#}
{% macro incremental_materialization() %}
    {{ return(adapter.dispatch('incremental_materialization', 'bankseg')()) }}
{% endmacro %}

{% macro default__incremental_materialization() %}
    {{ return('incremental') }}
{% endmacro %}

{% macro spark__incremental_materialization() %}
    {{ return('table') }}
{% endmacro %}

{% macro incremental_post_hooks(hooks) %}
    {{ return(adapter.dispatch('incremental_post_hooks', 'bankseg')(hooks)) }}
{% endmacro %}

{% macro default__incremental_post_hooks(hooks) %}
    {{ return(hooks) }}
{% endmacro %}

{% macro spark__incremental_post_hooks(hooks) %}
    {{ return([]) }}
{% endmacro %}
