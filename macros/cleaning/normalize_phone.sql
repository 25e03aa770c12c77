{#-
    A phone number in E.164 form (+<country code><number>), or null when it can't be one.
    Rules, in order, on the digits of the raw value:
      - starts with 00 (international prefix)        -> + and the rest
      - national length (var national_phone_number_length) and no leading 0 -> + default country code
      - starts with a single 0 (trunk prefix)        -> + default country code and the rest
      - otherwise (already carries a country code)   -> + the digits
    A result outside 8-15 digits, or all zeros, is not a phone number: null.
-#}
{% macro normalize_phone(expression) -%}
    {%- set country = var('default_phone_country_code') -%}
    {%- set national_length = var('national_phone_number_length') -%}
    {%- set digits = bankseg.regexp_replace_all(expression, '[^0-9]', '') -%}
    case
        when {{ digits }} = '' or {{ digits }} is null then null
        when {{ bankseg.regexp_full_match(digits, '0+') }} then null
        when {{ digits }} like '00%'
            and length({{ digits }}) between 10 and 17
            then '+' || substr({{ digits }}, 3)
        when length({{ digits }}) = {{ national_length }} and {{ digits }} not like '0%'
            then '+{{ country }}' || {{ digits }}
        when {{ digits }} like '0%' and {{ digits }} not like '00%'
            and length({{ digits }}) between 7 and 12
            then '+{{ country }}' || substr({{ digits }}, 2)
        when length({{ digits }}) between 8 and 15 and {{ digits }} not like '0%'
            then '+' || {{ digits }}
    end
{%- endmacro %}
