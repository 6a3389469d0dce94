//! Which shard this machine runs when `--shard` is not given, from the variables the engines
//! that spread work over machines already set: `RPSIM_SHARD=K/M` (a CI matrix), a Kubernetes
//! Indexed Job's `JOB_COMPLETION_INDEX` (0-based) with `RPSIM_SHARD_COUNT`, a Slurm job
//! array's `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_COUNT`.
//! Owns that lookup and its messages; it must never read anything but the variables it is
//! handed (the caller passes the process environment).

use super::schedule::Shard;

/// The shard and the variables it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardFromEnv {
    pub shard: Shard,
    /// E.g. `RPSIM_SHARD=2/4`, for the plan line.
    pub source: String,
}

fn number(name: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|e| format!("{name}={text:?} is not a whole number: {e}"))
}

/// The shard the environment names, `None` when it names none. `var` looks a variable up.
pub fn shard_from_env(
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ShardFromEnv>, String> {
    if let Some(text) = var("RPSIM_SHARD") {
        let shard = Shard::parse(&text).map_err(|e| format!("RPSIM_SHARD: {e}"))?;
        return Ok(Some(ShardFromEnv {
            shard,
            source: format!("RPSIM_SHARD={text}"),
        }));
    }
    if let Some(index) = var("JOB_COMPLETION_INDEX") {
        let count = var("RPSIM_SHARD_COUNT").ok_or_else(|| {
            "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but RPSIM_SHARD_COUNT is \
             not: set it to the Job's completions"
                .to_string()
        })?;
        let (index, count) = (
            number("JOB_COMPLETION_INDEX", &index)?,
            number("RPSIM_SHARD_COUNT", &count)?,
        );
        return shard_of(
            index + 1,
            count,
            format!("JOB_COMPLETION_INDEX={index} RPSIM_SHARD_COUNT={count}"),
        );
    }
    if let Some(id) = var("SLURM_ARRAY_TASK_ID") {
        let id = number("SLURM_ARRAY_TASK_ID", &id)?;
        let min =
            var("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |m| number("SLURM_ARRAY_TASK_MIN", &m))?;
        let count = var("SLURM_ARRAY_TASK_COUNT").ok_or_else(|| {
            "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not".to_string()
        })?;
        let count = number("SLURM_ARRAY_TASK_COUNT", &count)?;
        let index = id.checked_sub(min).ok_or_else(|| {
            format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
        })?;
        return shard_of(
            index + 1,
            count,
            format!("SLURM_ARRAY_TASK_ID={id} (of {count} from {min})"),
        );
    }
    Ok(None)
}

fn shard_of(index: u64, count: u64, source: String) -> Result<Option<ShardFromEnv>, String> {
    if index == 0 || index > count {
        return Err(format!(
            "{source}: shard {index} of {count} does not exist (need 1 <= K <= M)"
        ));
    }
    Ok(Some(ShardFromEnv {
        shard: Shard { index, count },
        source,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn no_variable_no_shard() {
        assert_eq!(shard_from_env(&env(&[])), Ok(None));
    }

    #[test]
    fn a_ci_matrix_names_k_of_m() {
        let found = shard_from_env(&env(&[("RPSIM_SHARD", "2/4")]))
            .unwrap()
            .unwrap();
        assert_eq!(found.shard, Shard { index: 2, count: 4 });
        assert!(shard_from_env(&env(&[("RPSIM_SHARD", "5/4")])).is_err());
    }

    #[test]
    fn a_kubernetes_index_is_zero_based_and_needs_a_count() {
        let found = shard_from_env(&env(&[
            ("JOB_COMPLETION_INDEX", "0"),
            ("RPSIM_SHARD_COUNT", "4"),
        ]));
        assert_eq!(found.unwrap().unwrap().shard, Shard { index: 1, count: 4 });
        let missing = shard_from_env(&env(&[("JOB_COMPLETION_INDEX", "3")])).unwrap_err();
        assert!(missing.contains("RPSIM_SHARD_COUNT"), "{missing}");
        assert!(shard_from_env(&env(&[
            ("JOB_COMPLETION_INDEX", "4"),
            ("RPSIM_SHARD_COUNT", "4")
        ]))
        .is_err());
    }

    #[test]
    fn a_slurm_array_counts_from_its_minimum() {
        let vars = [
            ("SLURM_ARRAY_TASK_ID", "11"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        assert_eq!(
            shard_from_env(&env(&vars)).unwrap().unwrap().shard,
            Shard { index: 2, count: 3 }
        );
        let vars = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "x"),
        ];
        assert!(shard_from_env(&env(&vars))
            .unwrap_err()
            .contains("SLURM_ARRAY_TASK_COUNT"));
    }
}
