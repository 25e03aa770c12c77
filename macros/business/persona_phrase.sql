{#-
    True when `phrase` is one whole phrase of the persona name: "Affluent, investing customers" has the phrases
    "affluent" and "investing" (so "investing" does not match "non-investing"). Used to pick the playbook rows
    reserved for a persona (ref_segment_playbook.persona_phrase); definition: doc block segment_personas.
-#}
{% macro persona_has_phrase(persona_name, phrase) -%}
    (', ' || replace(lower({{ persona_name }}), ' customers', '') || ',' like '%, ' || lower({{ phrase }}) || ',%')
{%- endmacro %}
