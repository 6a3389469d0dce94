//! The bench history chart (`rpsim bench chart`): one panel per figure, the records along the
//! x axis in the order they were saved, each record's median ratio joined by a line with its
//! min–max spread as an error bar, the figure's direction (higher or lower is better) in the
//! panel's title and its target as a dashed line. Drawn with plotters' SVG backend; text is
//! left to the viewer's fonts. Owns the chart's layout; it must never judge a record (that is
//! `record::compare`) nor write a file (the caller does).

use crate::bench::record::{BenchRecord, Better};
use plotters::prelude::*;

/// Width of the chart, in SVG pixels.
pub const CHART_WIDTH: u32 = 860;
/// Height of one figure's panel.
pub const PANEL_HEIGHT: u32 = 250;
/// Most panels drawn (the record format holds at most 64 figures).
pub const PANELS_MAX: usize = 16;

/// The targets the README states for the figures that have one: the ratio a figure should
/// stay above (higher is better) or below (lower is better). Ours, from README's table.
pub const TARGETS: [(&str, f64); 6] = [
    ("full_export", 0.95),
    ("differential_cost", 0.03),
    ("differential_vs_rsync", 0.05),
    ("restore_chain", 0.8),
    ("peak_rss_2tib_export", 1.0),
    ("peak_rss_restore_chain", 1.0),
];

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// One figure's points: (record index, min, median, max) of its ratio.
struct Panel<'r> {
    name: &'r str,
    baseline: Option<&'r str>,
    better: Better,
    points: Vec<(usize, f64, f64, f64)>,
}

/// The target of figure `name`, if it has one.
pub fn target_of(name: &str) -> Option<f64> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The chart of `records` (in the order given: saved order) as SVG text; `Err` when no record
/// holds a ratio or plotters refuses.
pub fn history_svg(records: &[BenchRecord]) -> Result<String, String> {
    let panels = panels(records);
    if panels.is_empty() {
        return Err("no record holds a figure with a ratio; nothing to chart".into());
    }
    let height = PANEL_HEIGHT * panels.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let areas = root.split_evenly((panels.len(), 1));
        for (index, (panel, area)) in panels.iter().zip(areas.iter()).enumerate() {
            draw_panel(area, panel, records, COLOURS[index % COLOURS.len()])?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

fn draw_error<E: std::fmt::Debug>(error: E) -> String {
    format!("cannot draw the chart: {error:?}")
}

fn panels(records: &[BenchRecord]) -> Vec<Panel<'_>> {
    let mut panels: Vec<Panel> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        for figure in &record.figures {
            let Some(range) = figure.ratio_range() else {
                continue;
            };
            let at = match panels.iter().position(|p| p.name == figure.name) {
                Some(at) => at,
                None if panels.len() < PANELS_MAX => {
                    panels.push(Panel {
                        name: &figure.name,
                        baseline: figure.baseline.as_deref(),
                        better: figure.better,
                        points: Vec::new(),
                    });
                    panels.len() - 1
                }
                None => continue,
            };
            panels[at]
                .points
                .push((index, range.min, range.median, range.max));
        }
    }
    panels
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel<'_>,
    records: &[BenchRecord],
    colour: RGBColor,
) -> Result<(), String> {
    let target = target_of(panel.name);
    let high = panel
        .points
        .iter()
        .map(|p| p.3)
        .chain(target)
        .fold(0.0f64, f64::max);
    // Headroom above the highest point for the legend.
    let y_max = if high > 0.0 { high * 1.5 } else { 1.0 };
    let direction = match panel.better {
        Better::Higher => "higher is better",
        Better::Lower => "lower is better",
    };
    let baseline = panel
        .baseline
        .map(|b| format!(" to {b}"))
        .unwrap_or_default();
    let title = format!("{}: ratio{baseline} ({direction})", panel.name);
    let last = records.len().max(1) - 1;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..last as f64 + 0.5, 0.0..y_max)
        .map_err(draw_error)?;
    let name_of = |x: &f64| {
        let index = x.round();
        if (x - index).abs() > 1e-6 || index < 0.0 {
            return String::new();
        }
        records
            .get(index as usize)
            .map_or(String::new(), |r| r.name.clone())
    };
    chart
        .configure_mesh()
        .x_labels(records.len().clamp(1, 12) * 2 + 1)
        .x_label_formatter(&name_of)
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.3}"))
        .y_desc("ratio")
        .disable_x_mesh()
        .light_line_style(WHITE)
        .draw()
        .map_err(draw_error)?;
    if let Some(target) = target {
        let kind = match panel.better {
            Better::Higher => "target: at least",
            Better::Lower => "target: at most",
        };
        let dashes = DashedLineSeries::new(
            [(-0.5, target), (last as f64 + 0.5, target)],
            6,
            4,
            BLACK.stroke_width(1),
        );
        chart
            .draw_series(dashes)
            .map_err(draw_error)?
            .label(format!("{kind} {target}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    }
    let line = panel.points.iter().map(|p| (p.0 as f64, p.2));
    chart
        .draw_series(LineSeries::new(line, colour.stroke_width(2)))
        .map_err(draw_error)?
        .label("median ratio (bar: min to max over the repeats)")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    let bars = panel
        .points
        .iter()
        .map(|p| ErrorBar::new_vertical(p.0 as f64, p.1, p.2, p.3, colour.filled(), 8));
    chart.draw_series(bars).map_err(draw_error)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(draw_error)?;
    Ok(())
}
