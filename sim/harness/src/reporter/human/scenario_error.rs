//! A scenario error as a person reads it: `FILE:LINE:COL: message` lines that are never
//! wrapped (one greppable line per problem, whatever the path length or terminal width), then
//! miette's source snippet, all without raw control characters. Owns that rendering; it must
//! never decide what is wrong with a scenario.

use miette::{GraphicalReportHandler, GraphicalTheme};
use rpsim_scenario::text;
use rpsim_scenario::ScenarioError;

/// The rendered error, safe to print.
pub fn render_scenario_error(error: &ScenarioError) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_wrap_lines(false)
        .with_width(usize::MAX / 4);
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, error).is_err() {
        rendered = error.to_string();
    }
    text::block(rendered.trim_end()).into_owned()
}
