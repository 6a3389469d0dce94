//! Fuzz target for the scenario loader: the input is a scenario file's bytes. It is parsed
//! (`parse_scenario`, which runs the shape pre-scan and the YAML parser) and, when it parses,
//! validated (`validate`). Invariants: no panic; every refusal has at least one problem; every
//! problem's one-line form and the miette report are free of raw control bytes (ESC, NUL, BEL,
//! CR, ...), whatever the input held; a file that parses and validates parses again to an
//! equal problem list (the loader is a pure function of its bytes). Time and memory per input
//! are bounded by the loader's own limits; libFuzzer's `-timeout` and `-rss_limit_mb` flag any
//! input that escapes them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use miette::{GraphicalReportHandler, GraphicalTheme};
use rpsim_scenario::{parse_scenario, validate};

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    match parse_scenario("fuzz.yaml", text) {
        Err(error) => {
            assert!(!error.diagnostics().is_empty(), "a refusal names a problem");
            assert_printable(&error.to_string());
            let mut rendered = String::new();
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
                .render_report(&mut rendered, &error)
                .expect("rendering into a String cannot fail");
            assert_printable(&rendered);
        }
        Ok(scenario) => {
            let problems = validate(&scenario);
            for problem in &problems {
                assert_printable(&problem.message);
                assert_printable(&problem.path.to_string());
            }
            let again = parse_scenario("fuzz.yaml", text).expect("parsed once, parses again");
            assert_eq!(validate(&again).len(), problems.len());
        }
    }
});

/// Panics when `text` holds a control character other than newline (the renderers' own line
/// breaks); the report is rendered without colour, so no ESC is expected either.
fn assert_printable(text: &str) {
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        panic!("raw control character {c:?} in rendered error: {text:?}");
    }
}
