//! The list of probes a suite must reach (`scenarios/required-probes.txt`): one probe name per
//! line, `#` starts a comment, blank lines ignored. Owns reading it; it must never accept a name
//! the catalogue does not hold (a typo would require nothing), nor read an unbounded file.

use rpsim_probe::Probe;
use std::path::Path;

/// The suite's list, relative to the repository root.
pub const REQUIRED_PROBES_DEFAULT: &str = "scenarios/required-probes.txt";
/// Largest list read.
const REQUIRED_BYTES_MAX: u64 = 1 << 20;

/// The probes listed in `path`, in file order; every problem as `FILE:LINE: message`.
pub fn read_required(path: &Path) -> Result<Vec<Probe>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > REQUIRED_BYTES_MAX {
        return Err(format!(
            "{}: larger than {REQUIRED_BYTES_MAX} bytes",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_required(&text).map_err(|(line, message)| format!("{}:{line}: {message}", path.display()))
}

/// The probes of a list's text; an error names its 1-based line.
fn parse_required(text: &str) -> Result<Vec<Probe>, (usize, String)> {
    let mut probes = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let name = line.split('#').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let Some(probe) = Probe::from_name(name) else {
            let shown = rpsim_scenario::text::one_line(name);
            return Err((
                index + 1,
                format!("unknown probe `{shown}` (see `rpsim coverage`)"),
            ));
        };
        if probes.contains(&probe) {
            return Err((index + 1, format!("probe `{name}` is listed twice")));
        }
        probes.push(probe);
    }
    Ok(probes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_unknown_names_refused_with_their_line() {
        let text = "# suite\n\njob.completed_full  # the happy path\nrsc.suspend\n";
        assert_eq!(
            parse_required(text).unwrap(),
            [Probe::JobCompletedFull, Probe::RscSuspend]
        );
        let (line, message) = parse_required("rsc.suspend\njob.complete_full\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(
            message.contains("unknown probe `job.complete_full`"),
            "{message}"
        );
        let (line, _) = parse_required("rsc.suspend\nrsc.suspend\n").unwrap_err();
        assert_eq!(line, 2);
    }
}
