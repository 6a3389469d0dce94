//! `rpsim run --plant-bug NAME`: runs the scenarios with one of the export job's planted bugs
//! switched on (see `rpsim_export::planted`), to watch the harness catch it. Owns the flag's
//! name lookup and error text; it must never plant a bug unless the binary was built with the
//! `planted-bugs` feature of rpsim-export (a debug build:
//! `cargo run --features rpsim-export/planted-bugs -- run --plant-bug NAME ...`).

use rpsim_export::planted::{self, PlantedBug};

/// Runs `f` with the named bug planted on this thread, or plainly when `name` is `None`.
/// Errors (for exit code 2): an unknown name, or a binary built without planted bugs.
pub fn with_planted_bug<R>(name: Option<&str>, f: impl FnOnce() -> R) -> Result<R, String> {
    let Some(name) = name else {
        return Ok(f());
    };
    let bug = compiled_in_bug(name)?;
    Ok(planted::try_with_bug(bug, f).expect("compiled_in_bug checked the feature"))
}

/// The named bug, refused (for exit code 2) when unknown or when this binary was built without
/// planted bugs.
pub fn compiled_in_bug(name: &str) -> Result<PlantedBug, String> {
    let bug = PlantedBug::from_name(name).ok_or_else(|| unknown(name))?;
    if !planted::COMPILED_IN {
        return Err(not_compiled_in(name));
    }
    Ok(bug)
}

fn unknown(name: &str) -> String {
    let names: Vec<&str> = planted::ALL.iter().map(|b| b.name()).collect();
    format!(
        "unknown planted bug `{name}`; the planted bugs are: {}",
        names.join(", ")
    )
}

fn not_compiled_in(name: &str) -> String {
    format!(
        "--plant-bug {name}: this rpsim binary was built without planted bugs; run a debug \
         build with them: cargo run --features rpsim-export/planted-bugs -- COMMAND --plant-bug \
         {name} ..."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flag_runs_plainly() {
        assert_eq!(with_planted_bug(None, || 7), Ok(7));
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let error = with_planted_bug(Some("nope"), || ()).unwrap_err();
        assert!(error.contains("unknown planted bug `nope`"), "{error}");
        assert!(error.contains("drop-boundary-extent"), "{error}");
    }

    #[test]
    fn a_known_name_plants_only_with_the_feature() {
        let result = with_planted_bug(Some("shared-disk-twice"), || {
            planted::active(PlantedBug::SharedDiskTwice)
        });
        if planted::COMPILED_IN {
            assert_eq!(result, Ok(true));
        } else {
            assert!(result.unwrap_err().contains("built without planted bugs"));
        }
    }
}
