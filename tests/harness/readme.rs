//! README.md stays true: its scenario example loads, its sample error is exactly what the
//! loader prints for that file, and the test command it names is the one `.ci/run` runs.

use std::path::Path;

fn repo_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first fenced block of `README.md` that opens with "```" + `language`.
fn first_block(readme: &str, language: &str) -> String {
    let fence = format!("```{language}\n");
    let start = readme.find(&fence).expect("README has such a block") + fence.len();
    let end = readme[start..].find("```").expect("block is closed") + start;
    readme[start..end].to_string()
}

#[test]
fn readme_scenario_example_loads() {
    let readme = repo_file("README.md");
    let example = first_block(&readme, "yaml");
    let scenario = rpsim_scenario::parse_scenario("README.md", &example)
        .unwrap_or_else(|e| panic!("README example does not load:\n{e}"));
    assert!(!scenario.timeline.is_empty());
}

#[test]
fn readme_sample_error_is_what_the_loader_prints() {
    let readme = repo_file("README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("scenarios/invalid/"))
        .expect("README shows a sample error");
    let file = line.split(':').next().unwrap();
    let error = rpsim_scenario::load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect_err("the sample file is invalid");
    let shown = error.to_string();
    let expected = line.trim_start_matches(file);
    assert!(
        shown.ends_with(expected),
        "README says {line:?}, loader says {shown:?}"
    );
}

#[test]
fn ci_runs_the_test_command_the_readme_names() {
    let readme = repo_file("README.md");
    let ci = repo_file(".ci/run");
    let command = "cargo test --workspace";
    assert!(
        readme.contains(&format!("```sh\n{command}\n```")),
        "README names {command}"
    );
    assert!(
        ci.lines().any(|l| l.trim() == command),
        ".ci/run runs {command}"
    );
}
