//! Bad definitions are refused with the line and path of each problem.

use super::*;

/// A small valid definition; the line numbers below refer to it.
pub(super) const BASE: &str = r#"service: TEST-SVC
title: { en: Test }
declaration: { en: I declare }
pages:
  - id: one
    title: { en: One }
    fields:
      - id: name
        type: text
        label: { en: Name }
        required: true
      - id: kind
        type: choice
        label: { en: Kind }
        choices:
          - { value: a, label: { en: A } }
          - { value: b, label: { en: B } }
  - id: two
    title: { en: Two }
    when: { field: kind, equals: a }
    fields:
      - id: count
        type: number
        label: { en: Count }
        min: "1"
fees:
  currency: KES
  items:
    - label: { en: Fee }
      by_choice:
        field: kind
        amounts: { a: "10.00", b: "20.00" }
workflow:
  start: pay
  states:
    - id: pay
      label: { en: Pay }
      actor: system
      paid_to: review
    - id: review
      label: { en: Review }
      actor: officer
      sla_days: 5
      actions:
        - { id: approve, label: { en: Approve }, to: done, issues: letter }
        - { id: ask, label: { en: Ask }, to: info, request_info: true, reason: required }
        - { id: reject, label: { en: Reject }, to: refused, reason: required }
    - id: info
      label: { en: Info }
      actor: applicant
      actions:
        - { id: respond, label: { en: Respond }, to: review }
    - id: done
      label: { en: Done }
      actor: system
      outcome: completed
    - id: refused
      label: { en: Refused }
      actor: system
      outcome: rejected
outputs:
  - id: letter
    title: { en: Letter }
    template: "Ref {{ reference }} for {{ answers.name }}"
"#;

/// `BASE` with the first `from` replaced by `to`.
pub(super) fn variant(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

#[test]
fn definition_base_is_valid() {
    let def = Definition::parse(BASE).expect("valid");
    assert_eq!(def.service(), "TEST-SVC");
    assert_eq!(def.start_state().id, "pay");
    assert_eq!(
        def.action("review", "ask").map(|a| a.to.as_str()),
        Some("info")
    );
    assert!(def.output("letter").is_some());
}

#[test]
fn definition_bad_files_name_line_and_path() {
    let name_required = "        label: { en: Name }\n        required: true\n";
    let cases: Vec<(String, usize, &str, &str)> = vec![
        (variant("type: text", "type: txt"), 9, "pages[0].fields[0].type", "unknown variant"),
        (variant(name_required, &format!("{name_required}        colour: red\n")), 12, "pages[0].fields[0]", "unknown key `colour`"),
        (variant("        min: \"1\"\n", "        min: \"1\"\n        pattern: x\n"), 26, "pages[1].fields[0].pattern", "only for text"),
        (variant(name_required, &format!("{name_required}        pattern: \"(\"\n")), 12, "pages[0].fields[0].pattern", "not a valid regular expression"),
        (variant(name_required, &format!("{name_required}        prefill: shoe_size\n")), 12, "pages[0].fields[0].prefill", "unknown prefill key"),
        (variant("      - id: count", "      - id: name"), 22, "pages[1].fields[0].id", "used twice"),
        (variant("  - id: two", "  - id: Two"), 18, "pages[1].id", "lower-case"),
        (variant("min: \"1\"", "min: \"one\""), 25, "pages[1].fields[0].min", "must be a number"),
        (variant("{ field: kind, equals: a }", "{ field: knd, equals: a }"), 20, "pages[1].when.field", "no field `knd`"),
        (variant("{ field: kind, equals: a }", "{ field: kind, equals: c }"), 20, "pages[1].when", "no value `c`"),
        (variant("{ field: kind, equals: a }", "{ field: kind, equals: a, any: [] }"), 20, "pages[1].when", "exactly one"),
        (variant("{ field: kind, equals: a }", "{ field: kind, less_than: \"3\" }"), 20, "pages[1].when.less_than", "compares numbers"),
        (variant("{ field: kind, equals: a }", "{ field: count, answered: true }"), 20, "pages[1].when.field", "not asked before"),
        (variant("{ a: \"10.00\", b: \"20.00\" }", "{ a: \"10.00\" }"), 32, "fees.items[0].by_choice.amounts", "choice `b`"),
        (variant("a: \"10.00\"", "a: \"10.001\""), 32, "fees.items[0].by_choice.amounts.a", "not an amount"),
        (variant("currency: KES", "currency: EUR"), 27, "fees.currency", "KES or USD"),
        (variant("      by_choice:\n        field: kind\n        amounts: { a: \"10.00\", b: \"20.00\" }\n", "      formula: \"name * 2\"\n"), 30, "fees.items[0].formula", "only use number"),
        (variant("      by_choice:\n        field: kind\n        amounts: { a: \"10.00\", b: \"20.00\" }\n", "      formula: \"count * (2\"\n"), 30, "fees.items[0].formula", "cannot be read"),
        (variant("      by_choice:\n", "      amount: \"5.00\"\n      by_choice:\n"), 29, "fees.items[0]", "exactly one of"),
        (variant("      by_choice:\n        field: kind\n        amounts: { a: \"10.00\", b: \"20.00\" }\n", "      formula: \"100 / (3 - 3)\"\n"), 30, "fees.items[0].formula", "cannot be worked out"),
        (variant("      by_choice:\n        field: kind\n        amounts: { a: \"10.00\", b: \"20.00\" }\n", "      formula: \"10 - 20\"\n"), 30, "fees.items[0].formula", "negative"),
        (variant("start: pay", "start: paying"), 34, "workflow.start", "no state `paying`"),
        (variant("to: refused, reason", "to: refusd, reason"), 47, "workflow.states[1].actions[2].to", "no state `refusd`"),
        (variant("to: refused, reason", "to: refusd, reason"), 57, "workflow.states[4].id", "cannot be reached"),
        (variant("to: info, request_info", "to: done, request_info"), 46, "workflow.states[1].actions[1].to", "actor is `applicant`"),
        (variant("to: review }", "to: done }"), 46, "workflow.states[1].actions[1].to", "leading back"),
        (variant("      actor: system\n      paid_to: review", "      actor: officer\n      paid_to: review"), 38, "workflow.states[0].actor", "must be `system`"),
        (variant("      actor: officer\n", "      actor: system\n"), 42, "workflow.states[1].actor", "only payment states"),
        (variant("      outcome: completed\n", "      outcome: completed\n      actions:\n        - { id: again, label: { en: Again }, to: review }\n"), 57, "workflow.states[3].actions", "has no actions"),
        (variant("issues: letter", "issues: lettr"), 45, "workflow.states[1].actions[0].issues", "no output `lettr`"),
        (variant("issues: letter", "issues: lettr"), 62, "outputs[0].id", "no action issues"),
        (variant("{{ answers.name }}", "{{ answers.nam }}"), 64, "outputs[0].template", "unknown placeholder"),
        (variant("{{ answers.name }}", "{{ valid_until }}"), 64, "outputs[0].template", "needs `valid_days`"),
        (variant("title: { en: Test }", "title: { en: Test"), 3, "title", "while parsing a flow mapping"),
    ];
    for (i, (yaml, line, path, fragment)) in cases.iter().enumerate() {
        let errors =
            Definition::parse(yaml).expect_err(&format!("case {i} ({path}) must be refused"));
        let hit = errors
            .iter()
            .find(|e| e.path == *path && e.message.contains(fragment));
        let e = hit.unwrap_or_else(|| {
            panic!("case {i}: no error at {path} with {fragment:?}: {errors:#?}")
        });
        assert_eq!(e.line, Some(*line), "case {i}: {e:?}");
    }
}

#[test]
fn definition_every_error_is_reported() {
    let yaml = variant("currency: KES", "currency: EUR").replacen("start: pay", "start: paying", 1);
    let errors = Definition::parse(&yaml).expect_err("refused");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert!(
        paths.contains(&"fees.currency") && paths.contains(&"workflow.start"),
        "{paths:?}"
    );
    // In file order.
    assert!(
        errors.windows(2).all(|w| w[0].line <= w[1].line),
        "{errors:?}"
    );
}

#[test]
fn definition_limits_protect_the_server() {
    let huge = format!("{BASE}\n# {}\n", "x".repeat(MAX_YAML_BYTES));
    let errors = Definition::parse(&huge).expect_err("too big");
    assert!(errors[0].message.contains("at most 256 KiB"), "{errors:?}");
    let missing = BASE.replacen("declaration: { en: I declare }\n", "", 1);
    let errors = Definition::parse(&missing).expect_err("missing key");
    assert!(
        errors[0].message.contains("missing key `declaration`"),
        "{errors:?}"
    );
    for empty in ["", "   \n", "[]", "42"] {
        assert!(Definition::parse(empty).is_err(), "{empty:?}");
    }
    // Nesting groups is refused.
    let nested = variant(
        "      - id: count\n        type: number\n        label: { en: Count }\n        min: \"1\"\n",
        "      - id: rows\n        type: group\n        label: { en: Rows }\n        fields:\n          - id: inner\n            type: group\n            label: { en: Inner }\n            fields:\n              - { id: x, type: text, label: { en: X } }\n",
    );
    let errors = Definition::parse(&nested).expect_err("nested");
    assert!(
        errors
            .iter()
            .any(|e| e.path == "pages[1].fields[0].fields[0].type" && e.line == Some(27)),
        "{errors:#?}"
    );
}
