{#-
    Label propagation state of identity resolution, shared by int_customer_identity_map and the test that
    proves it converged. A state key is a two-digit strength (00 anchored by a national id, 01-09 the weakest
    link priority on the path, 99 a record's own label) followed by the label, so the smallest key is the best.
-#}
{% macro identity_state_key(strength, label) -%}
    lpad(cast({{ strength }} as {{ dbt.type_string() }}), 2, '0') || {{ label }}
{%- endmacro %}

{#- What a neighbour in state `neighbour_state_key` offers over a link of `match_priority`. -#}
{% macro identity_offered_state_key(neighbour_state_key, match_priority) -%}
    {{ bankseg.identity_state_key(
        'greatest(cast(substr(' ~ neighbour_state_key ~ ', 1, 2) as integer), ' ~ match_priority ~ ')',
        'substr(' ~ neighbour_state_key ~ ', 3)'
    ) }}
{%- endmacro %}


{#-
    True when one record of the pair is a core banking party and the other comes from a system that keys people
    by the core banking party id (var identity_shared_key_systems), so equal system keys are the same person.
-#}
{% macro is_shared_person_key(left_record, right_record, systems) -%}
    {%- set quoted = [] -%}
    {%- for system in systems %}{% do quoted.append("'" ~ system ~ "'") %}{% endfor -%}
    (
        ({{ left_record }}.source_system = 'core_banking' and {{ right_record }}.source_system in ({{ quoted | join(', ') }}))
        or ({{ right_record }}.source_system = 'core_banking' and {{ left_record }}.source_system in ({{ quoted | join(', ') }}))
    )
{%- endmacro %}
