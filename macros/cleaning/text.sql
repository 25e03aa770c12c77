{#- Trim, collapse runs of white space to one space, and turn an empty string into null. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ bankseg.regexp_replace_all(expression, '\\s+', ' ') }}), '')
{%- endmacro %}

{#- Upper-cased, trimmed code; empty becomes null. -#}
{% macro clean_code(expression) -%}
    nullif(upper(trim({{ expression }})), '')
{%- endmacro %}

{#-
    A name as used for matching: lower case, letters only, its words in alphabetical order, so that
    "Zhang Rongya", "ZHANG Rongya" and "Rongya Zhang" (systems write surname and given name in different
    orders) are one name.
-#}
{% macro match_name(expression) %}
    {{ return(adapter.dispatch('match_name', 'bankseg')(expression)) }}
{% endmacro %}

{% macro default__match_name(expression) -%}
    nullif({{ bankseg.regexp_replace_all('lower(' ~ expression ~ ')', '[^a-z]', '') }}, '')
{%- endmacro %}

{% macro duckdb__match_name(expression) -%}
    nullif(
        array_to_string(
            list_sort(string_split({{ bankseg.regexp_replace_all('lower(trim(' ~ expression ~ '))', '[^a-z ]+', '') }}, ' ')),
            ''
        ),
        ''
    )
{%- endmacro %}

{#- Replace every match of a regular expression. -#}
{% macro regexp_replace_all(expression, pattern, replacement) %}
    {{ return(adapter.dispatch('regexp_replace_all', 'bankseg')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- True when the whole string matches the regular expression. -#}
{% macro regexp_full_match(expression, pattern) %}
    {{ return(adapter.dispatch('regexp_full_match', 'bankseg')(expression, pattern)) }}
{% endmacro %}

{% macro default__regexp_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- Each word capitalised, the rest lower case ("  sHANGHAI " -> "Shanghai"). -#}
{% macro initcap_words(expression) %}
    {{ return(adapter.dispatch('initcap_words', 'bankseg')(expression)) }}
{% endmacro %}

{% macro default__initcap_words(expression) -%}
    initcap({{ expression }})
{%- endmacro %}

{% macro duckdb__initcap_words(expression) -%}
    array_to_string(
        list_transform(
            string_split(lower({{ expression }}), ' '),
            lambda w: upper(substr(w, 1, 1)) || substr(w, 2)
        ),
        ' '
    )
{%- endmacro %}

{#- Values of a group joined with a delimiter, in sorted order (deterministic output). -#}
{% macro string_agg_sorted(expression, delimiter) %}
    {{ return(adapter.dispatch('string_agg_sorted', 'bankseg')(expression, delimiter)) }}
{% endmacro %}

{% macro default__string_agg_sorted(expression, delimiter) -%}
    array_join(array_sort(collect_set({{ expression | replace('distinct ', '') }})), {{ delimiter }})
{%- endmacro %}

{% macro duckdb__string_agg_sorted(expression, delimiter) -%}
    string_agg({{ expression }}, {{ delimiter }} order by {{ expression | replace('distinct ', '') }})
{%- endmacro %}
