# Switchyard's own restatement of the flag evaluation scenarios of the OpenFeature specification's
# Gherkin suite (evaluation_v2), for flags created on a real Switchyard server and resolved through
# @openfeature/server-sdk with SwitchyardProvider. Run by evaluation.test.ts (test/support/gherkin.ts
# reads this file; each scenario and each Examples row is one test).
#
# Not restated, because they do not apply to Switchyard:
# - reason CACHED: the provider evaluates locally from the rules it holds; no value comes from a cache.
# - flag metadata defined by the flag's author (string/integer/float/boolean entries): Switchyard
#   flags carry none; the only metadata is what the result says (killed, killReason, ruleIndex).
# - a provider that is STALE or ERROR because of its own evaluation errors (the spec's "unstable
#   provider"): those states come from the connection here, and are covered below through a gate in
#   front of the server.
# - integer vs float: OpenFeature's JavaScript SDK has one number type; both are number flags.
#
# The flags: variants as {key: value}; the production config as JSON ("fallthrough" names a
# variant; "killed" is done through the kill endpoint, with its reason).

Feature: Flag evaluation through the Switchyard OpenFeature provider

  Background:
    Given the Switchyard flags
      | key                  | kind    | variants                                                                               | config                                                                                                                                                  |
      | boolean-flag         | boolean | {"on": true, "off": false}                                                             | {"enabled": true, "fallthrough": "on"}                                                                                                                  |
      | string-flag          | string  | {"greeting": "hi", "parting": "bye"}                                                   | {"enabled": true, "fallthrough": "greeting"}                                                                                                            |
      | integer-flag         | number  | {"ten": 10, "one": 1}                                                                  | {"enabled": true, "fallthrough": "ten"}                                                                                                                 |
      | float-flag           | number  | {"half": 0.5, "tenth": 0.1}                                                            | {"enabled": true, "fallthrough": "half"}                                                                                                                |
      | object-flag          | json    | {"template": {"showImages": true, "title": "Check out these pics!", "imagesPerPage": 100}, "nothing": {}} | {"enabled": true, "fallthrough": "template"}                                                                              |
      | boolean-zero-flag    | boolean | {"on": true, "off": false}                                                             | {"enabled": true, "fallthrough": "off"}                                                                                                                 |
      | string-zero-flag     | string  | {"empty": "", "hi": "hi"}                                                              | {"enabled": true, "fallthrough": "empty"}                                                                                                               |
      | integer-zero-flag    | number  | {"zero": 0, "one": 1}                                                                  | {"enabled": true, "fallthrough": "zero"}                                                                                                                |
      | float-zero-flag      | number  | {"zero": 0.0, "tenth": 0.1}                                                            | {"enabled": true, "fallthrough": "zero"}                                                                                                                |
      | object-zero-flag     | json    | {"empty": {}, "full": {"a": 1}}                                                        | {"enabled": true, "fallthrough": "empty"}                                                                                                               |
      | email-targeted-flag  | string  | {"macro": "yes", "other": "no"}                                                        | {"enabled": true, "fallthrough": "other", "rules": [{"clauses": [{"attribute": "email", "op": "endsWith", "values": ["@macrosoft.com"]}], "serve": {"variant": "macro"}}]} |
      | multi-attribute-flag | string  | {"match": "match", "miss": "miss"}                                                     | {"enabled": true, "fallthrough": "miss", "rules": [{"clauses": [{"attribute": "age", "op": "gte", "values": [18]}, {"attribute": "country", "op": "in", "values": ["NL"]}, {"attribute": "beta", "op": "in", "values": [true]}, {"attribute": "key", "op": "startsWith", "values": ["user-"]}], "serve": {"variant": "match"}}]} |
      | disabled-flag        | string  | {"new": "new", "old": "old"}                                                           | {"enabled": false, "fallthrough": "new", "offVariant": "old"}                                                                                           |
      | killed-flag          | boolean | {"on": true, "off": false}                                                             | {"enabled": true, "fallthrough": "on", "killed": "error spike"}                                                                                         |
    And a ready Switchyard provider

  Scenario Outline: Resolve a value of type <type>
    Given a <type> flag "<key>" with default value "<default>"
    When the flag is evaluated with details
    Then the value is "<value>"
    And the variant is "<variant>"
    And the reason is "STATIC"
    And there is no error code

    Examples:
      | type    | key          | default | value                                                                  | variant  |
      | boolean | boolean-flag | false   | true                                                                   | on       |
      | string  | string-flag  | bye     | hi                                                                     | greeting |
      | integer | integer-flag | 1       | 10                                                                     | ten      |
      | float   | float-flag   | 0.1     | 0.5                                                                    | half     |
      | object  | object-flag  | {}      | {"showImages": true, "title": "Check out these pics!", "imagesPerPage": 100} | template |

  Scenario Outline: Resolve a zero value of type <type>, a value like any other
    Given a <type> flag "<key>" with default value "<default>"
    When the flag is evaluated with details
    Then the value is "<value>"
    And the reason is "STATIC"

    Examples:
      | type    | key               | default     | value |
      | boolean | boolean-zero-flag | true        | false |
      | string  | string-zero-flag  | hi          |       |
      | integer | integer-zero-flag | 1           | 0     |
      | float   | float-zero-flag   | 0.1         | 0.0   |
      | object  | object-zero-flag  | {"b": 2}    | {}    |

  Scenario Outline: A targeting rule matches, or does not
    Given a string flag "email-targeted-flag" with default value "fallback"
    And a context with "email" set to "<email>"
    When the flag is evaluated with details
    Then the value is "<value>"
    And the reason is "<reason>"

    Examples:
      | email                    | value | reason          |
      | ballmer@macrosoft.com    | yes   | TARGETING_MATCH |
      | ballmer@makrosoft.com    | no    | DEFAULT         |

  Scenario: An empty context gets the fallthrough of a targeted flag
    Given a string flag "email-targeted-flag" with default value "fallback"
    When the flag is evaluated with details
    Then the value is "no"
    And the reason is "DEFAULT"

  Scenario: A context attribute that is null does not match
    Given a string flag "email-targeted-flag" with default value "fallback"
    And a context with "email" set to null
    When the flag is evaluated with details
    Then the value is "no"
    And the reason is "DEFAULT"

  Scenario Outline: Several context attributes, all needed for the match
    Given a string flag "multi-attribute-flag" with default value "fallback"
    And a context
      | attribute    | type    | value         |
      | targetingKey | string  | <key>         |
      | age          | integer | <age>         |
      | country      | string  | NL            |
      | beta         | boolean | true          |
    When the flag is evaluated with details
    Then the value is "<value>"
    And the reason is "<reason>"

    Examples:
      | key     | age | value | reason          |
      | user-7  | 42  | match | TARGETING_MATCH |
      | user-7  | 17  | miss  | DEFAULT         |
      | robot-7 | 42  | miss  | DEFAULT         |

  Scenario: A flag that does not exist gives the default
    Given a string flag "missing-flag" with default value "uh-oh"
    When the flag is evaluated with details
    Then the value is "uh-oh"
    And the reason is "ERROR"
    And the error code is "FLAG_NOT_FOUND"

  Scenario Outline: A value of another type gives the default
    Given a <type> flag "<key>" with default value "<default>"
    When the flag is evaluated with details
    Then the value is "<default>"
    And the reason is "ERROR"
    And the error code is "TYPE_MISMATCH"

    Examples:
      | type    | key          | default |
      | integer | string-flag  | 13      |
      | boolean | string-flag  | false   |
      | string  | integer-flag | thirteen |
      | object  | boolean-flag | {"a": 1} |

  Scenario: The evaluation details name the flag, its variant and the reason
    Given a boolean flag "boolean-flag" with default value "false"
    When the flag is evaluated with details
    Then the details are
      | field   | value        |
      | flagKey | boolean-flag |
      | value   | true         |
      | variant | on           |
      | reason  | STATIC       |

  Scenario: A disabled flag serves its off variant
    Given a string flag "disabled-flag" with default value "fallback"
    When the flag is evaluated with details
    Then the value is "old"
    And the variant is "old"
    And the reason is "DISABLED"
    And there is no error code

  Scenario: A killed flag serves its off variant, marked killed
    Given a boolean flag "killed-flag" with default value "true"
    When the flag is evaluated with details
    Then the value is "false"
    And the variant is "off"
    And the reason is "DISABLED"
    And the metadata "killed" is "true"
    And the metadata "killReason" is "error spike"

  Scenario: A provider that has no values yet is not ready
    Given a Switchyard provider that is not ready
    And a boolean flag "boolean-flag" with default value "true"
    When the flag is evaluated with details
    Then the value is "true"
    And the reason is "ERROR"
    And the error code is "PROVIDER_NOT_READY"

  Scenario: A provider whose key was revoked is fatal
    Given a Switchyard provider that is fatal
    And a boolean flag "boolean-flag" with default value "true"
    When the flag is evaluated with details
    Then the value is "true"
    And the reason is "ERROR"
    And the error code is "PROVIDER_FATAL"

  Scenario Outline: Provider status <status>
    Given a Switchyard provider that is <state>
    Then the provider status is "<status>"

    Examples:
      | state     | status    |
      | ready     | READY     |
      | not ready | NOT_READY |
      | in error  | ERROR     |
      | fatal     | FATAL     |
      | stale     | STALE     |

  Scenario: Hooks run in order around an evaluation
    Given a boolean flag "boolean-flag" with default value "false"
    And a hook at the API, the client and the invocation level
    When the flag is evaluated with details
    Then the hooks ran in this order
      | stage   | levels                  |
      | before  | API, client, invocation |
      | after   | invocation, client, API |
      | finally | invocation, client, API |

  Scenario: Error hooks run when the flag does not exist
    Given a boolean flag "missing-flag" with default value "false"
    And a hook at the API, the client and the invocation level
    When the flag is evaluated with details
    Then the hooks ran in this order
      | stage   | levels                  |
      | before  | API, client, invocation |
      | error   | invocation, client, API |
      | finally | invocation, client, API |
