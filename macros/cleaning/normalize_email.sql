{#- Lower-cased, trimmed e-mail address; null when it is not shaped like local@domain.tld. -#}
{% macro normalize_email(expression) -%}
    case
        when {{ bankseg.regexp_full_match('lower(trim(' ~ expression ~ '))', '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}') }}
            then lower(trim({{ expression }}))
    end
{%- endmacro %}
