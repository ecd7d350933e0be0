//! Charts as inline SVG for the report pages, built on the server: no script, no inline
//! style (the pages' content security policy allows neither), only SVG attributes and the
//! classes `static/app.css` colours (`chart`, `chart-bar`, `fill-*`, ...).
//!
//! Two kinds: a horizontal [`bar_chart`] (a label, a bar, its value; optionally stacked
//! segments with a legend) and a [`column_chart`] (a column per day or month). Both are pure
//! functions of their data: every text is escaped (labels are user data: names of people and
//! services), bars are scaled to the largest value (or a given floor, such as 100 %), a
//! maximum of zero draws empty bars without dividing by it, and a chart with nothing to show
//! (no bars; or every value zero, when zeros mean nothing, as for money) is a "no data"
//! paragraph instead of an empty picture.
//!
//! Each chart is a `<figure>`: its visible title and its legend (a swatch and a name per
//! series, even a single one) are HTML above the picture, so that they keep their size when
//! the picture is scaled to a phone's width; the SVG is `role="img"`, labelled by that title
//! and described in words by its `<desc>` (the largest entry, said by the page's
//! `describe`); the pages show the same figures in a table beside it.

use std::fmt::Write;

/// The width of every chart in SVG user units (its `viewBox`); the stylesheet scales it to
/// the width of its box.
const WIDTH: f64 = 640.0;
const PAD: f64 = 8.0;
/// Estimated width of a character of the charts' 12-unit text, for layout and truncation.
const CHAR_W: f64 = 6.6;

// Bar chart geometry.
const LABEL_W: f64 = 190.0;
const VALUE_W: f64 = 110.0;
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 18.0;
/// Longest label shown in full (the rest is cut with "…"; the bar's title has it whole).
const LABEL_CHARS: usize = 27;

// Column chart geometry.
const AXIS_W: f64 = 96.0;
const PLOT_TOP: f64 = 24.0;
const PLOT_H: f64 = 180.0;
const TICKS_H: f64 = 24.0;

/// One part of a stacked bar: its name in the legend and the class that colours it.
pub struct Series {
    pub name: String,
    /// A class of `app.css`, e.g. `fill-no_show`.
    pub class: &'static str,
}

/// One bar: its label and one value per series (a single value for a plain bar).
pub struct Bar {
    pub label: String,
    pub values: Vec<i64>,
}

impl Bar {
    /// A bar of one value.
    pub fn single(label: impl Into<String>, value: i64) -> Bar {
        Bar {
            label: label.into(),
            values: vec![value],
        }
    }
}

/// A horizontal bar chart.
pub struct BarChart<'a> {
    /// The `id` of the SVG (or of the "no data" paragraph, with `-empty`).
    pub id: &'a str,
    /// What it shows: the `<title>` and the `aria-label`.
    pub title: &'a str,
    /// The message shown instead of an empty chart.
    pub no_data: &'a str,
    /// One per value of each bar, each in the legend.
    pub series: &'a [Series],
    pub bars: &'a [Bar],
    /// A full-length bar stands for at least this much (e.g. 1000 for rates in per mille);
    /// 0 to scale to the longest bar.
    pub full_scale: i64,
    /// Whether bars that are all zero are "no data" (money, counts) rather than a finding
    /// (a no-show rate of 0 %).
    pub zero_is_empty: bool,
    /// How a value is written (a count, tugrik, a percentage).
    pub format: &'a dyn Fn(i64) -> String,
    /// The largest entry in words, from its label and its written value (the `<desc>`).
    pub describe: &'a dyn Fn(&str, &str) -> String,
}

/// One column of a column chart.
pub struct Column {
    /// The whole label, in the column's title (`2026-03-15`).
    pub label: String,
    /// The short label under the axis (`03-15`); some are skipped when they would overlap.
    pub tick: String,
    pub value: i64,
}

/// A column chart (vertical bars over days or months).
pub struct ColumnChart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub no_data: &'a str,
    /// What the columns are (the legend) and the class of `app.css` colouring them.
    pub series: Series,
    pub columns: &'a [Column],
    /// Whether columns that are all zero are "no data".
    pub zero_is_empty: bool,
    pub format: &'a dyn Fn(i64) -> String,
    /// The largest entry in words (the `<desc>`).
    pub describe: &'a dyn Fn(&str, &str) -> String,
}

/// `text` safe inside an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, the cut marked with "…".
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A coordinate, one decimal.
fn n(x: f64) -> String {
    format!("{x:.1}")
}

/// The length of `value` on an axis of `length` units standing for `max`; 0 for a value not
/// above zero or an axis standing for nothing (no division by zero).
pub fn scaled(value: i64, max: i64, length: f64) -> f64 {
    if max <= 0 || value <= 0 {
        0.0
    } else {
        (value.min(max) as f64) * length / (max as f64)
    }
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_W
}

/// The "no data" paragraph that stands for an empty chart.
fn empty(id: &str, no_data: &str) -> String {
    format!(
        "<p class=\"hint chart-empty\" id=\"{}-empty\">{}</p>",
        escape(id),
        escape(no_data)
    )
}

/// The start of the SVG: labelled by the figure's title, described by `desc`.
fn svg_open(out: &mut String, id: &str, title: &str, desc: &str, class: &str, height: f64) {
    let _ = write!(
        out,
        "<svg class=\"chart {class}\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         aria-describedby=\"{id}-desc\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" preserveAspectRatio=\"xMinYMin meet\"><title>{title}</title>\
         <desc id=\"{id}-desc\">{desc}</desc>",
        id = escape(id),
        title = escape(title),
        desc = escape(desc),
        w = WIDTH,
        h = n(height),
    );
}

/// The chart's figure: its title and legend, then the picture.
fn figure(id: &str, title: &str, series: &[Series], svg: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure class=\"chart-figure\" id=\"{id}-figure\"><figcaption>\
         <span class=\"chart-title\" id=\"{id}-title\">{title}</span><ul class=\"chart-legend\">",
        id = escape(id),
        title = escape(title),
    );
    for s in series {
        let _ = write!(
            out,
            "<li><span class=\"chart-swatch {class}\" aria-hidden=\"true\"></span>{name}</li>",
            class = s.class,
            name = escape(&s.name),
        );
    }
    out.push_str("</ul></figcaption>");
    out.push_str(svg);
    out.push_str("</figure>");
    out
}

/// The entry with the largest value (the first of equals), said by `describe`.
fn largest<'a>(
    entries: impl Iterator<Item = (&'a str, i64)>,
    format: &dyn Fn(i64) -> String,
    describe: &dyn Fn(&str, &str) -> String,
) -> String {
    let mut top: Option<(&str, i64)> = None;
    for (label, value) in entries {
        if top.is_none_or(|(_, v)| value > v) {
            top = Some((label, value));
        }
    }
    top.map(|(label, value)| describe(label, &format(value)))
        .unwrap_or_default()
}

/// A horizontal bar chart: a row per bar with its label, its (stacked) bar scaled to the
/// largest total (or `full_scale`) and its total written after it.
pub fn bar_chart(chart: &BarChart) -> String {
    if chart.bars.is_empty()
        || (chart.zero_is_empty && chart.bars.iter().all(|b| b.values.iter().all(|v| *v == 0)))
    {
        return empty(chart.id, chart.no_data);
    }
    let total = |b: &Bar| -> i64 { b.values.iter().map(|v| (*v).max(0)).sum() };
    let max = chart
        .bars
        .iter()
        .map(total)
        .max()
        .unwrap_or(0)
        .max(chart.full_scale);
    let plot_w = WIDTH - LABEL_W - VALUE_W;
    let mut body = String::new();
    let top = PAD;
    let bottom = top + ROW_H * chart.bars.len() as f64;
    let _ = write!(
        body,
        "<line class=\"chart-axis\" x1=\"{x}\" y1=\"{y1}\" x2=\"{x}\" y2=\"{y2}\"/>",
        x = n(LABEL_W),
        y1 = n(top),
        y2 = n(bottom),
    );
    for (i, bar) in chart.bars.iter().enumerate() {
        let y = top + ROW_H * i as f64;
        let label = escape(&bar.label);
        let sum: i64 = bar.values.iter().sum();
        let written = escape(&(chart.format)(sum));
        let _ = write!(
            body,
            "<g class=\"chart-row\"><title>{label}: {written}</title>\
             <text class=\"chart-label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{short}</text>",
            lx = n(LABEL_W - 6.0),
            ty = n(y + ROW_H / 2.0 + 4.0),
            short = escape(&shorten(&bar.label, LABEL_CHARS)),
        );
        let mut x = LABEL_W;
        for (j, value) in bar.values.iter().enumerate() {
            let width = scaled(*value, max, plot_w).min(LABEL_W + plot_w - x);
            if width <= 0.0 {
                continue;
            }
            let series = chart.series.get(j);
            let class = series.map_or("fill-default", |s| s.class);
            let name = series.map_or_else(String::new, |s| format!("{}: ", escape(&s.name)));
            let _ = write!(
                body,
                "<rect class=\"chart-bar {class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\">\
                 <title>{label} — {name}{v}</title></rect>",
                x = n(x),
                y = n(y + (ROW_H - BAR_H) / 2.0),
                w = n(width),
                h = n(BAR_H),
                v = escape(&(chart.format)(*value)),
            );
            x += width;
        }
        let _ = write!(
            body,
            "<text class=\"chart-value\" x=\"{vx}\" y=\"{ty}\">{written}</text></g>",
            vx = n(x + 6.0),
            ty = n(y + ROW_H / 2.0 + 4.0),
        );
    }
    let desc = largest(
        chart.bars.iter().map(|b| (b.label.as_str(), total(b))),
        chart.format,
        chart.describe,
    );
    let mut out = String::new();
    svg_open(
        &mut out,
        chart.id,
        chart.title,
        &desc,
        "bar-chart",
        bottom + PAD,
    );
    out.push_str(&body);
    out.push_str("</svg>");
    figure(chart.id, chart.title, chart.series, &out)
}

/// A column chart: a column per entry scaled to the largest value, the largest value and
/// zero written on the axis, ticks under the columns (as many as fit), values over the
/// columns when they fit.
pub fn column_chart(chart: &ColumnChart) -> String {
    if chart.columns.is_empty()
        || (chart.zero_is_empty && chart.columns.iter().all(|c| c.value == 0))
    {
        return empty(chart.id, chart.no_data);
    }
    let max = chart.columns.iter().map(|c| c.value).max().unwrap_or(0);
    let plot_w = WIDTH - AXIS_W - PAD;
    let slot = plot_w / chart.columns.len() as f64;
    let bottom = PLOT_TOP + PLOT_H;
    let widest_tick = chart
        .columns
        .iter()
        .map(|c| text_width(&c.tick))
        .fold(0.0, f64::max)
        + 6.0;
    // Every `step`-th tick is written, so that they do not overlap.
    let step = ((widest_tick / slot).ceil() as usize).max(1);
    let values_fit = chart
        .columns
        .iter()
        .all(|c| text_width(&(chart.format)(c.value)) + 2.0 <= slot);
    let desc = largest(
        chart.columns.iter().map(|c| (c.label.as_str(), c.value)),
        chart.format,
        chart.describe,
    );
    let mut out = String::new();
    svg_open(
        &mut out,
        chart.id,
        chart.title,
        &desc,
        "column-chart",
        bottom + TICKS_H,
    );
    let max_text = escape(&(chart.format)(max.max(0)));
    let zero_text = escape(&(chart.format)(0));
    let _ = write!(
        out,
        "<line class=\"chart-grid\" x1=\"{x1}\" y1=\"{top}\" x2=\"{x2}\" y2=\"{top}\"/>\
         <line class=\"chart-axis\" x1=\"{x1}\" y1=\"{bottom}\" x2=\"{x2}\" y2=\"{bottom}\"/>\
         <text class=\"chart-axis-label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{max_text}</text>\
         <text class=\"chart-axis-label\" x=\"{lx}\" y=\"{by}\" text-anchor=\"end\">{zero_text}</text>",
        x1 = n(AXIS_W),
        x2 = n(WIDTH - PAD),
        top = n(PLOT_TOP),
        bottom = n(bottom),
        lx = n(AXIS_W - 6.0),
        ty = n(PLOT_TOP + 4.0),
        by = n(bottom + 4.0),
    );
    for (i, column) in chart.columns.iter().enumerate() {
        let x = AXIS_W + slot * i as f64;
        let center = x + slot / 2.0;
        let height = scaled(column.value, max, PLOT_H);
        let written = escape(&(chart.format)(column.value));
        let label = escape(&column.label);
        let _ = write!(
            out,
            "<g class=\"chart-column\"><title>{label}: {written}</title>"
        );
        if height > 0.0 {
            let _ = write!(
                out,
                "<rect class=\"chart-bar {class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/>",
                class = chart.series.class,
                x = n(x + slot * 0.15),
                y = n(bottom - height),
                w = n(slot * 0.7),
                h = n(height),
            );
        }
        if values_fit && column.value != 0 {
            let _ = write!(
                out,
                "<text class=\"chart-value\" x=\"{cx}\" y=\"{y}\" text-anchor=\"middle\">{written}</text>",
                cx = n(center),
                y = n(bottom - height - 4.0),
            );
        }
        if i % step == 0 {
            let _ = write!(
                out,
                "<text class=\"chart-tick\" x=\"{cx}\" y=\"{y}\" text-anchor=\"middle\">{tick}</text>",
                cx = n(center),
                y = n(bottom + 16.0),
                tick = escape(&column.tick),
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    figure(
        chart.id,
        chart.title,
        std::slice::from_ref(&chart.series),
        &out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(v: i64) -> String {
        v.to_string()
    }

    fn say(label: &str, value: &str) -> String {
        format!("Most: {label}, {value}")
    }

    fn widths(svg: &str) -> Vec<f64> {
        svg.split("<rect class=\"chart-bar")
            .skip(1)
            .map(|piece| {
                let w = piece.split("width=\"").nth(1).unwrap();
                w.split('"').next().unwrap().parse().unwrap()
            })
            .collect()
    }

    fn heights(svg: &str) -> Vec<f64> {
        svg.split("<rect class=\"chart-bar")
            .skip(1)
            .map(|piece| {
                let h = piece.split("height=\"").nth(1).unwrap();
                h.split('"').next().unwrap().parse().unwrap()
            })
            .collect()
    }

    fn bars<'a>(bars: &'a [Bar], series: &'a [Series]) -> BarChart<'a> {
        BarChart {
            id: "c",
            title: "Title",
            no_data: "Nothing",
            series,
            bars,
            full_scale: 0,
            zero_is_empty: true,
            format: &count,
            describe: &say,
        }
    }

    fn columns<'a>(columns: &'a [Column]) -> ColumnChart<'a> {
        ColumnChart {
            id: "k",
            title: "T",
            no_data: "None",
            series: Series {
                name: "Things".into(),
                class: "fill-x",
            },
            columns,
            zero_is_empty: true,
            format: &count,
            describe: &say,
        }
    }

    #[test]
    fn text_is_escaped() {
        let rows = [Bar::single("<script>&\"Бат' Дорж", 5)];
        let svg = bar_chart(&BarChart {
            title: "a<b & \"c\"",
            ..bars(&rows, &[])
        });
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;&amp;&quot;Бат&#39; Дорж"),
            "{svg}"
        );
        assert!(
            svg.contains("id=\"c-title\">a&lt;b &amp; &quot;c&quot;</span>"),
            "{svg}"
        );
        assert!(
            svg.contains("<title>a&lt;b &amp; &quot;c&quot;</title>"),
            "{svg}"
        );
        let cols = [Column {
            label: "<x>".into(),
            tick: "\"t\"".into(),
            value: 3,
        }];
        let svg = column_chart(&ColumnChart {
            format: &|v| format!("<{v}>"),
            ..columns(&cols)
        });
        assert!(!svg.contains("<x>") && !svg.contains("<3>"), "{svg}");
        assert!(svg.contains("&lt;x&gt;: &lt;3&gt;") && svg.contains("&quot;t&quot;"));
        assert_eq!(escape("a&b"), "a&amp;b");
    }

    #[test]
    fn bars_are_proportional_to_the_largest() {
        let rows = [
            Bar::single("a", 50),
            Bar::single("b", 100),
            Bar::single("c", 25),
        ];
        let svg = bar_chart(&bars(&rows, &[]));
        let plot = WIDTH - LABEL_W - VALUE_W;
        assert_eq!(widths(&svg), vec![plot / 2.0, plot, plot / 4.0]);
        assert!(svg.starts_with("<figure") && svg.ends_with("</svg></figure>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title>Title</title>"));
        // A floor of the scale: 100 % is the full length.
        let rows = [Bar::single("a", 250)];
        let svg = bar_chart(&BarChart {
            full_scale: 1000,
            ..bars(&rows, &[])
        });
        assert_eq!(widths(&svg), vec![plot / 4.0]);
    }

    #[test]
    fn stacked_segments_add_up_and_have_a_legend() {
        let series = [
            Series {
                name: "Came".into(),
                class: "fill-came",
            },
            Series {
                name: "No-show".into(),
                class: "fill-no_show",
            },
        ];
        let rows = [Bar {
            label: "Бат".into(),
            values: vec![3, 1],
        }];
        let svg = bar_chart(&bars(&rows, &series));
        let plot = WIDTH - LABEL_W - VALUE_W;
        assert_eq!(widths(&svg), vec![plot * 0.75, plot * 0.25]);
        assert!(svg.contains("class=\"chart-legend\""));
        assert!(svg.contains("chart-swatch fill-no_show"));
        assert!(svg.contains(">4</text>"), "the total is written: {svg}");
        assert!(svg.contains("Бат — No-show: 1"));
    }

    #[test]
    fn every_chart_has_a_visible_title_a_legend_and_a_description() {
        let series = [Series {
            name: "Paid".into(),
            class: "fill-paid",
        }];
        let rows = [Bar::single("Бат", 5), Bar::single("Дорж", 9)];
        let svg = bar_chart(&bars(&rows, &series));
        assert!(svg.starts_with("<figure class=\"chart-figure\" id=\"c-figure\"><figcaption>"));
        assert!(svg.contains("<span class=\"chart-title\" id=\"c-title\">Title</span>"));
        assert!(
            svg.contains(
                "<li><span class=\"chart-swatch fill-paid\" aria-hidden=\"true\"></span>Paid</li>"
            ),
            "a single series has its legend too: {svg}"
        );
        assert!(svg.contains("aria-labelledby=\"c-title\" aria-describedby=\"c-desc\""));
        assert!(
            svg.contains("<desc id=\"c-desc\">Most: Дорж, 9</desc>"),
            "{svg}"
        );
        let cols = [
            Column {
                label: "2026-03-01".into(),
                tick: "03-01".into(),
                value: 7,
            },
            Column {
                label: "2026-03-02".into(),
                tick: "03-02".into(),
                value: 7,
            },
        ];
        let svg = column_chart(&columns(&cols));
        assert!(svg.contains("id=\"k-title\">T</span>"));
        assert!(svg.contains("chart-swatch fill-x\" aria-hidden=\"true\"></span>Things</li>"));
        assert!(
            svg.contains("<desc id=\"k-desc\">Most: 2026-03-01, 7</desc>"),
            "the first of equals: {svg}"
        );
    }

    #[test]
    fn nothing_to_show_is_a_message_not_an_empty_chart() {
        let svg = bar_chart(&bars(&[], &[]));
        assert_eq!(
            svg,
            "<p class=\"hint chart-empty\" id=\"c-empty\">Nothing</p>"
        );
        let zeros = [Bar::single("a", 0), Bar::single("b", 0)];
        assert!(!bar_chart(&bars(&zeros, &[])).contains("<svg"));
        assert_eq!(
            column_chart(&columns(&[])),
            "<p class=\"hint chart-empty\" id=\"k-empty\">None</p>"
        );
        let zero = [Column {
            label: "d".into(),
            tick: "d".into(),
            value: 0,
        }];
        assert!(!column_chart(&columns(&zero)).contains("<svg"));
    }

    #[test]
    fn a_zero_or_negative_maximum_divides_by_nothing() {
        // Zeros that are a finding (a no-show rate of 0 %) are drawn: empty bars.
        let zeros = [Bar::single("a", 0), Bar::single("b", 0)];
        let svg = bar_chart(&BarChart {
            zero_is_empty: false,
            ..bars(&zeros, &[])
        });
        assert!(svg.contains("<svg") && svg.contains(">0</text>"), "{svg}");
        assert!(widths(&svg).is_empty());
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let zero = [Column {
            label: "d".into(),
            tick: "d".into(),
            value: 0,
        }];
        let svg = column_chart(&ColumnChart {
            zero_is_empty: false,
            ..columns(&zero)
        });
        assert!(svg.contains("<svg") && heights(&svg).is_empty(), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert_eq!(scaled(5, 0, 100.0), 0.0);
        assert_eq!(scaled(-5, 10, 100.0), 0.0);
        assert_eq!(scaled(20, 10, 100.0), 100.0);
        // A refund larger than the day's payments: drawn as nothing, written as it is.
        let rows = [Bar::single("cash", -1500)];
        let svg = bar_chart(&bars(&rows, &[]));
        assert!(
            svg.contains("<svg") && svg.contains(">-1500</text>"),
            "{svg}"
        );
        assert!(widths(&svg).is_empty());
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let negative = [Column {
            label: "d".into(),
            tick: "d".into(),
            value: -3,
        }];
        let svg = column_chart(&columns(&negative));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn columns_are_proportional_and_ticks_do_not_overlap() {
        let days: Vec<Column> = (0..366)
            .map(|i| Column {
                label: format!("day {i}"),
                tick: format!("{i:03}"),
                value: if i == 10 { 200 } else { 100 },
            })
            .collect();
        let svg = column_chart(&columns(&days));
        let h = heights(&svg);
        assert_eq!(h.len(), 366);
        assert_eq!(h[10], PLOT_H);
        assert_eq!(h[0], PLOT_H / 2.0);
        let ticks = svg.matches("class=\"chart-tick\"").count();
        assert!(ticks > 5 && ticks < 40, "{ticks} ticks");
        // 366 columns are too narrow for their values: only the axis says them.
        assert_eq!(svg.matches("class=\"chart-value\"").count(), 0);
        let svg = column_chart(&columns(&days[..3]));
        assert_eq!(svg.matches("class=\"chart-value\"").count(), 3);
        assert_eq!(svg.matches("class=\"chart-tick\"").count(), 3);
    }

    #[test]
    fn long_labels_are_shortened_but_kept_whole_in_the_title() {
        let long = "Баттулга Энхбаатарын Мөнх-Эрдэнэ Цэцэгмаа";
        let rows = [Bar::single(long, 1)];
        let svg = bar_chart(&bars(&rows, &[]));
        assert!(svg.contains(&format!("<title>{long}: 1</title>")));
        let short = shorten(long, LABEL_CHARS);
        assert!(short.ends_with('…') && short.chars().count() == LABEL_CHARS);
        assert!(svg.contains(&format!(">{short}</text>")), "{svg}");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
    }
}
