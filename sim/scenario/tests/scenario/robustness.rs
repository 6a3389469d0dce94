//! parse_scenario never panics: not on arbitrary bytes, not on mutations of a valid scenario,
//! not on deep nesting. Every error it returns has a position inside the text and renders.

use proptest::prelude::*;
use rpsim_scenario::{parse_scenario, units, ScenarioError};

const FULL: &str = include_str!("../data/full.yaml");

/// Positions lie in the text, and miette renders the error without panicking.
fn check_error(text: &str, error: &ScenarioError) {
    assert!(!error.diagnostics().is_empty());
    let lines = text.lines().count() + 1;
    for d in error.diagnostics() {
        assert!(
            d.line >= 1 && d.line <= lines,
            "line {} of {lines}: {error}",
            d.line
        );
        assert!(d.column >= 1, "column {}: {error}", d.column);
        assert!(!d.message.is_empty());
    }
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, error)
        .expect("render into a String");
    assert!(!out.is_empty());
    let raw = out.chars().find(|c| c.is_control() && *c != '\n');
    assert!(raw.is_none(), "raw {raw:?} in the rendered error: {out:?}");
}

fn parse_checked(text: &str) {
    if let Err(error) = parse_scenario("p.yaml", text) {
        check_error(text, &error);
    }
}

/// Fragments that make YAML and scenario mistakes likely.
const TOKENS: &[&str] = &[
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "\t",
    "\n",
    "  ",
    "'",
    "\"",
    "#",
    "é",
    "0",
    "-1",
    "99999999999999999999",
    "99999999999999999999999999999999999999TiB",
    "1.5",
    "64TiB",
    "65TiB",
    "4KiB",
    "/s",
    "%",
    "null",
    "~",
    "!!str ",
    "name: x",
    "kind: host_crash",
    "at: 1s",
    "? ",
    "---\n",
    "...\n",
    "<<: *a",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    SwapLines { a: usize, b: usize },
    DuplicateLine { line: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    match *mutation {
        Mutation::Delete { at, len } => {
            let at = at % (chars.len() + 1);
            let end = (at + len).min(chars.len());
            chars.drain(at..end);
            chars.into_iter().collect()
        }
        Mutation::Insert { at, token } => {
            let at = at % (chars.len() + 1);
            let token = TOKENS[token % TOKENS.len()];
            chars.splice(at..at, token.chars());
            chars.into_iter().collect()
        }
        Mutation::SwapLines { a, b } => {
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            lines.join("\n")
        }
        Mutation::DuplicateLine { line } => {
            let line = line % lines.len();
            lines.insert(line, lines[line].clone());
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_checked(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_valid_scenarios_never_panic(
        mutations in proptest::collection::vec(mutation(), 1..6)
    ) {
        let mut text = FULL.to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        parse_checked(&text);
    }
}

proptest! {
    #[test]
    fn units_display_as_text_that_parses_back(
        bytes in 0..=units::BYTE_SIZE_MAX,
        ns in 0..=units::DURATION_NS_MAX,
        basis_points in 0u32..=10_000,
    ) {
        let size = units::ByteSize(bytes);
        prop_assert_eq!(units::parse_byte_size(&size.to_string()), Ok(size));
        let duration = units::SimDuration(ns);
        prop_assert_eq!(units::parse_duration(&duration.to_string()), Ok(duration));
        let percent = units::Percent(basis_points);
        prop_assert_eq!(units::parse_percent(&percent.to_string()), Ok(percent));
        if bytes > 0 {
            let rate = units::ByteRate(bytes);
            prop_assert_eq!(units::parse_byte_rate(&rate.to_string()), Ok(rate));
        }
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for (open, close) in [("[", "]"), ("{a: ", "}"), ("- ", "")] {
        let depth = 20_000;
        let text = format!("version: {}1{}\n", open.repeat(depth), close.repeat(depth));
        let error = parse_scenario("deep.yaml", &text).expect_err("deep nesting");
        check_error(&text, &error);
    }
}

#[test]
fn a_valid_scenario_with_a_later_duplicate_document_is_refused() {
    let text = format!("{FULL}---\n{FULL}");
    let error = parse_scenario("two.yaml", &text).expect_err("two documents");
    check_error(&text, &error);
    assert!(
        error.to_string().contains("more than one document"),
        "{error}"
    );
}

#[test]
fn a_control_character_is_located_and_never_echoed_raw() {
    let text = "version: 1\n\u{1d}\u{1b}[2J: x\n";
    let error = parse_scenario("p.yaml", text).unwrap_err();
    let first = &error.diagnostics()[0];
    assert_eq!((first.line, first.column), (2, 1), "{error}");
    assert!(first.message.contains("U+001D"), "{error}");
    check_error(text, &error);
}
