//! Loads each scenario file named on the command line and prints `OK` or the error: the
//! smallest program around `load_scenario`, for measuring its time and memory
//! (`/usr/bin/time -v cargo run --example load -p rpsim-scenario -- FILE`).

fn main() {
    let mut failed = false;
    for path in std::env::args_os().skip(1) {
        match rpsim_scenario::load_scenario(std::path::Path::new(&path)) {
            Ok(scenario) => println!(
                "{}: OK ({} timeline entries)",
                path.to_string_lossy(),
                scenario.timeline.len()
            ),
            Err(error) => {
                failed = true;
                let shown = error.to_string();
                let first = shown.lines().next().unwrap_or_default();
                println!("{}", first.chars().take(300).collect::<String>());
            }
        }
    }
    std::process::exit(i32::from(failed));
}
