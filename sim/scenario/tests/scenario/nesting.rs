//! Parse time is bounded: nesting past `NESTING_DEPTH_MAX` and aliases that expand past
//! `NODES_MAX` are refused at the token that crosses the limit, before any YAML parser runs,
//! so even the worst 4 MiB file is answered at once. Brackets inside strings, comments and
//! block scalars do not count.

use rpsim_scenario::shape::{NESTING_DEPTH_MAX, NODES_MAX};
use rpsim_scenario::{parse_scenario, worst_case, ScenarioErrorKind, SCENARIO_BYTES_MAX};

const MAX: usize = NESTING_DEPTH_MAX;

const VALID: &str = "\
version: 1
name: base
hosts: [{name: h1}]
storage: {capacity: 1TiB, bandwidth: 100MiB/s}
vm_groups:
  - name: g
    vms:
      - {name: a, host: h1, generation: 2, state: running, disks: [{name: d, size: 1GiB}]}
";

/// (line, column, message) of the first problem; panics when `text` is accepted.
fn refused(text: &str) -> (usize, usize, String) {
    let error = parse_scenario("deep.yaml", text).expect_err("refused");
    let first = &error.diagnostics()[0];
    (first.line, first.column, first.message.clone())
}

fn assert_too_deep(text: &str, line: usize, column: usize) {
    let (l, c, message) = refused(text);
    assert!(message.contains("NESTING_DEPTH_MAX"), "{message}");
    assert!(
        message.contains(&format!("more than {MAX} levels")),
        "{message}"
    );
    assert_eq!((l, c), (line, column), "{message}");
}

fn assert_not_too_deep(text: &str) {
    if let Err(error) = parse_scenario("ok.yaml", text) {
        let shown = error.to_string();
        assert!(!shown.contains("NESTING_DEPTH_MAX"), "{shown}");
        assert!(!shown.contains("NODES_MAX"), "{shown}");
    }
}

#[test]
fn flow_nesting_past_the_limit_is_refused_at_the_bracket_that_crosses_it() {
    // `version:` opens the root mapping (level 1); bracket k opens level k + 1.
    for open in ["[", "{", "{a: "] {
        let text = format!("version: {}", open.repeat(MAX + 10));
        assert_too_deep(&text, 1, 10 + (MAX - 1) * open.len());
    }
    let closed = format!("version: {}1{}\n", "[".repeat(MAX), "]".repeat(MAX));
    assert_too_deep(&closed, 1, 10 + (MAX - 1));
    let at_the_limit = format!("version: {}1{}\n", "[".repeat(MAX - 1), "]".repeat(MAX - 1));
    let (_, _, message) = refused(&at_the_limit);
    assert!(message.contains("invalid type: sequence"), "{message}");
}

#[test]
fn pairs_inside_flow_sequences_are_levels_too() {
    // `[a: [a: ...` opens a sequence and a single-pair mapping per bracket.
    let text = format!("version: {}", "[a: ".repeat(MAX));
    assert_too_deep(&text, 1, 10 + (MAX / 2 - 1) * 4 + 1);
}

#[test]
fn block_nesting_past_the_limit_is_refused() {
    let mut indented = String::from("version:\n");
    for depth in 1..=MAX {
        indented.push_str(&format!("{}k:\n", " ".repeat(depth)));
    }
    assert_too_deep(&indented, MAX + 1, MAX + 1);
    let compact = format!("{}x\n", "- ".repeat(MAX + 1));
    assert_too_deep(&compact, 1, 2 * MAX + 1);
    let indentless = format!("a:\n{}", "- b:\n".repeat(MAX));
    assert_not_too_deep(&indentless);
}

#[test]
fn brackets_inside_strings_comments_and_block_scalars_do_not_count() {
    let deep = "[{".repeat(4 * MAX);
    let cases = [
        format!("description: \"{deep}\\\" {deep}\"\n"),
        format!("description: '{deep}'' {deep}'\n"),
        format!("description: a{deep}\n"),
        format!("description: a {deep} # {deep}\n"),
        format!("# {deep}\ndescription: x\n"),
        format!("description: |\n  {deep}\n\n  {deep}\n"),
        format!("description: >-\n  {deep}\n  # not a comment\n"),
        format!("description: first line\n  {deep}\n"),
        format!("description: \"first line\n  {deep}\\\n  {deep}\"\n"),
        format!("description: !!str a{deep}\n"),
        format!("description: &text a{deep}\nseed: 3 # {deep}\n"),
    ];
    for extra in cases {
        let text = format!("{VALID}{extra}");
        if let Err(error) = parse_scenario("strings.yaml", &text) {
            panic!("{extra:?} is refused:\n{error}");
        }
    }
}

#[test]
fn nesting_through_aliases_counts_what_the_alias_expands_to() {
    let anchored = |outer: usize| {
        format!(
            "x: &deep {}1{}\ny: {}*deep{}\n",
            "[".repeat(40),
            "]".repeat(40),
            "[".repeat(outer),
            "]".repeat(outer)
        )
    };
    // The alias sits at level `outer + 1`, and expands `deep`'s 40 levels below it.
    assert_not_too_deep(&anchored(MAX - 41));
    assert_too_deep(&anchored(MAX - 40), 2, 4 + MAX - 40);
    let block = format!(
        "x: &deep\n{}y: [*deep]\n",
        (1..=40)
            .map(|d| format!("{}k:\n", " ".repeat(d)))
            .collect::<String>()
    );
    assert_not_too_deep(&block);
    let block_deeper = block.replace("y: [*deep]", &format!("y: {}*deep", "[".repeat(MAX - 40)));
    let (_, _, message) = refused(&block_deeper);
    assert!(message.contains("NESTING_DEPTH_MAX"), "{message}");
}

#[test]
fn aliases_that_multiply_values_past_the_limit_are_refused_before_deserialising() {
    let text = worst_case::alias_expansion(200_000);
    let (line, column, message) = refused(&text);
    assert!(
        message.contains(&format!("more than {NODES_MAX} values")),
        "{message}"
    );
    assert!(message.contains("NODES_MAX"), "{message}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[line - 1][column - 1..].starts_with("*l"),
        "{line}:{column}"
    );
    let fewer: String = text.lines().take(20).map(|l| format!("{l}\n")).collect();
    let error = parse_scenario("few.yaml", &fewer).expect_err("no timeline exports");
    assert!(!error.to_string().contains("NODES_MAX"), "{error}");
}

#[test]
fn the_worst_four_mebibytes_are_answered_with_a_located_error() {
    for (name, generate) in worst_case::ALL {
        let text = generate(SCENARIO_BYTES_MAX);
        assert!(
            text.len() <= SCENARIO_BYTES_MAX,
            "{name} is {} bytes",
            text.len()
        );
        let outcome = parse_scenario("worst.yaml", &text);
        match name {
            "brackets_in_strings" | "largest_timeline" => {
                if let Err(error) = outcome {
                    panic!("{name} is valid:\n{error}");
                }
            }
            _ => {
                let error = outcome.expect_err(name);
                assert_eq!(error.kind(), ScenarioErrorKind::Syntax, "{name}: {error}");
                let first = &error.diagnostics()[0];
                assert!(first.line >= 1 && first.column >= 1, "{name}: {error}");
                let limit = ["NESTING_DEPTH_MAX", "NODES_MAX"]
                    .iter()
                    .any(|limit| first.message.contains(limit));
                let typed = first.message.contains("invalid type");
                assert!(
                    limit || (name == "nesting_at_the_limit" && typed),
                    "{name}: {error}"
                );
            }
        }
    }
}
