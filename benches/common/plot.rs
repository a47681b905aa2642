//! A small SVG line chart on log-log axes, so the runner needs no plotting dependency.

use std::fmt::Write as _;

/// One line of the chart: a name and its (x, y) points, both positive.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

const COLORS: [&str; 6] = [
    "#d62728", "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e",
];

/// Renders `series` as an SVG document with logarithmic x and y axes.
pub fn log_log_svg(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let (width, height) = (640.0, 400.0);
    let (left, right, top, bottom) = (70.0, 150.0, 40.0, 50.0);
    let points = series.iter().flat_map(|line| line.points.iter());
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in points {
        x_min = x_min.min(*x);
        x_max = x_max.max(*x);
        y_min = y_min.min(*y);
        y_max = y_max.max(*y);
    }
    let (x_low, x_high) = (
        x_min.log10().floor(),
        x_max.log10().ceil().max(x_min.log10().floor() + 1.0),
    );
    let (y_low, y_high) = (
        y_min.log10().floor(),
        y_max.log10().ceil().max(y_min.log10().floor() + 1.0),
    );
    let plot_width = width - left - right;
    let plot_height = height - top - bottom;
    let to_x = |x: f64| left + (x.log10() - x_low) / (x_high - x_low) * plot_width;
    let to_y = |y: f64| top + plot_height - (y.log10() - y_low) / (y_high - y_low) * plot_height;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="14">{title}</text>"#,
        left + plot_width / 2.0
    );
    for exponent in x_low as i32..=x_high as i32 {
        let x = to_x(10_f64.powi(exponent));
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + plot_height,
            top + plot_height + 16.0,
            10_f64.powi(exponent)
        );
    }
    for exponent in y_low as i32..=y_high as i32 {
        let y = to_y(10_f64.powi(exponent));
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + plot_width,
            left - 6.0,
            y + 4.0,
            10_f64.powi(exponent)
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{x_label}</text>"#,
        left + plot_width / 2.0,
        height - 12.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="16" y="{:.1}" text-anchor="middle" transform="rotate(-90 16 {:.1})">{y_label}</text>"#,
        top + plot_height / 2.0,
        top + plot_height / 2.0
    );
    for (number, line) in series.iter().enumerate() {
        let color = COLORS[number % COLORS.len()];
        let path: Vec<String> = line
            .points
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", to_x(*x), to_y(*y)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            path.join(" ")
        );
        for (x, y) in &line.points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                to_x(*x),
                to_y(*y)
            );
        }
        let legend_y = top + 10.0 + number as f64 * 18.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{:.1}" y1="{legend_y:.1}" x2="{:.1}" y2="{legend_y:.1}" stroke="{color}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            left + plot_width + 10.0,
            left + plot_width + 30.0,
            left + plot_width + 36.0,
            legend_y + 4.0,
            line.name
        );
    }
    svg.push_str("</svg>\n");
    svg
}
