//! Scenario files: the YAML format v1, its units, loading with located errors and semantic
//! validation. Owns everything between a path on disk and a validated [`model::Scenario`]; it
//! must never run anything.

pub mod error;
pub mod indentation;
pub mod load;
pub mod locate;
pub mod model;
pub mod path;
pub mod requested_state;
pub mod seed;
pub mod shape;
mod split;
pub mod text;
pub mod units;
pub mod validate;
pub mod worst_case;

pub use error::{Located, ScenarioError, ScenarioErrorKind};
pub use load::{load_scenario, parse_scenario, SCENARIO_BYTES_MAX};
pub use model::Scenario;
pub use seed::{effective_seed, SEED_DEFAULT};
pub use validate::{validate, Problem};
