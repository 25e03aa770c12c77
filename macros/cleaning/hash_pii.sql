{#-
    Salted SHA-256 of a personal identifier. The salt comes from the BANKSEG_PII_SALT env var; the
    development default is public, so a bank sets its own secret salt in production. Null stays null,
    so a missing identifier never matches another missing identifier.
-#}
{% macro hash_pii(expression) %}
    {{ return(adapter.dispatch('hash_pii', 'bankseg')(expression)) }}
{% endmacro %}

{% macro pii_salt() %}
    {{- return(env_var('BANKSEG_PII_SALT', 'bankseg-development-salt-not-secret')) -}}
{% endmacro %}

{% macro default__hash_pii(expression) -%}
    case when {{ expression }} is not null
        then {{ dbt.hash(dbt.concat(["'" ~ pii_salt() ~ "|'", expression])) }}
    end
{%- endmacro %}

{% macro duckdb__hash_pii(expression) -%}
    case when {{ expression }} is not null
        then sha256('{{ pii_salt() }}|' || {{ expression }})
    end
{%- endmacro %}
