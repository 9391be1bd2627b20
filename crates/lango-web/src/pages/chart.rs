//! Bar charts drawn on the server as inline SVG: no JavaScript, no inline styles (colours
//! come from the stylesheet), a name for screen readers, a tooltip per bar, and always the
//! same numbers in a table beside them on the page.

/// One bar.
pub struct Bar {
    /// Short label under the axis (shown for some bars only when there are many).
    pub label: String,
    /// What the bar says in full (its tooltip), e.g. `2026-11-22: KES 4,550.00`.
    pub title: String,
    /// Its value; below zero is drawn as zero.
    pub value: i64,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const LEFT: i64 = 96;
const RIGHT: i64 = 8;
const TOP: i64 = 16;
const BOTTOM: i64 = 28;

/// Width of one character of `.chart-text` (12px) in the chart's units, a little more than
/// a digit's, so that estimates err towards space between labels.
const CHAR_W: i64 = 8;
/// Space kept between two labels.
const LABEL_GAP: i64 = 12;

/// Estimated width of a label under the axis.
fn label_width(label: &str) -> i64 {
    label.chars().count() as i64 * CHAR_W
}

/// Where each bar's label goes (its centre), or `None` for bars left unlabelled. Walking back
/// from the newest bar (always named), a label is kept only when it ends a gap before the
/// one kept after it, so labels never overlap however many bars there are; each is moved
/// inwards when it would stick out of the drawing.
fn label_positions(bars: &[Bar], centres: &[i64]) -> Vec<Option<i64>> {
    let mut out = vec![None; bars.len()];
    let mut next_left = i64::MAX;
    for i in (0..bars.len()).rev() {
        let w = label_width(&bars[i].label);
        let x = centres[i].clamp(LEFT + w / 2, (WIDTH - RIGHT - w / 2).max(LEFT + w / 2));
        if x + w / 2 + LABEL_GAP <= next_left {
            out[i] = Some(x);
            next_left = x - w / 2;
        }
    }
    out
}

/// Escapes text for SVG (XML) content and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A vertical bar chart named `name` (its accessible name and `<title>`), with `top_label`
/// written at the top of the scale (the largest value, formatted by the caller).
pub fn bars(name: &str, top_label: &str, bars: &[Bar]) -> String {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as i64;
    let slot = plot_w / n;
    let gap = if slot > 6 { slot / 5 } else { 0 };
    let centres: Vec<i64> = (0..bars.len() as i64)
        .map(|i| LEFT + i * slot + gap / 2 + (slot - gap) / 2)
        .collect();
    let labels = label_positions(bars, &centres);
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"{n}\"><title>{n}</title>",
        n = esc(name)
    );
    svg.push_str(&format!(
        "<line class=\"chart-axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>\
         <line class=\"chart-grid\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{}\" y2=\"{TOP}\"/>\
         <text class=\"chart-text\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
         <text class=\"chart-text\" x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        WIDTH - RIGHT,
        WIDTH - RIGHT,
        LEFT - 6,
        TOP + 4,
        esc(top_label),
        LEFT - 6,
    ));
    for (i, b) in bars.iter().enumerate() {
        let x = LEFT + i as i64 * slot + gap / 2;
        let v = b.value.max(0);
        let h = (i128::from(v) * i128::from(plot_h) / i128::from(max)) as i64;
        // A day with money is never invisible.
        let h = if v > 0 { h.max(1) } else { 0 };
        svg.push_str(&format!(
            "<rect class=\"chart-bar\" x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{h}\"><title>{}</title></rect>",
            base - h,
            (slot - gap).max(1),
            esc(&b.title)
        ));
        if let Some(lx) = labels[i] {
            svg.push_str(&format!(
                "<text class=\"chart-text\" x=\"{lx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                HEIGHT - 8,
                esc(&b.label)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.into(),
            title: format!("{label}: {value}"),
            value,
        }
    }

    #[test]
    fn bars_scale_to_the_largest_and_text_is_escaped() {
        let svg = bars(
            "Revenue <KES>",
            "KES 10.00",
            &[bar("a", 1000), bar("b", 500), bar("c", 0)],
        );
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.contains("role=\"img\" aria-label=\"Revenue &lt;KES&gt;\""));
        assert!(svg.contains("<title>Revenue &lt;KES&gt;</title>"));
        let heights: Vec<i64> = svg
            .split("height=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        let plot = HEIGHT - TOP - BOTTOM;
        assert_eq!(heights, [plot, plot / 2, 0]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn empty_and_tiny_values_draw() {
        assert!(bars("x", "0", &[]).ends_with("</svg>"));
        let svg = bars("x", "1", &[bar("a", 1_000_000_000), bar("b", 1)]);
        assert!(svg.contains("height=\"1\""), "a small day stays visible");
        let many: Vec<Bar> = (0..30).map(|i| bar(&format!("d{i}"), i)).collect();
        let svg = bars("x", "1", &many);
        assert!(
            svg.contains(">d29<") && !svg.contains(">d28<"),
            "the newest day is named"
        );
    }

    /// The x and text of every label under the axis.
    fn axis_labels(svg: &str) -> Vec<(i64, String)> {
        svg.split("<text class=\"chart-text\" x=\"")
            .skip(1)
            .filter(|t| t.contains(&format!("y=\"{}\"", HEIGHT - 8)))
            .map(|t| {
                let x = t.split('"').next().unwrap().parse().unwrap();
                let text = t.split('>').nth(1).unwrap().split('<').next().unwrap();
                (x, text.to_string())
            })
            .collect()
    }

    #[test]
    fn date_labels_never_overlap_and_stay_inside() {
        for n in [1, 2, 7, 8, 9, 14, 28, 30, 31, 60, 90, 365] {
            for label in ["2026-11-22", "22 Nov"] {
                let many: Vec<Bar> = (0..n).map(|i| bar(label, i)).collect();
                let svg = bars("x", "1", &many);
                let labels = axis_labels(&svg);
                assert!(!labels.is_empty(), "{n} bars have a label");
                let w = label_width(label);
                for (x, _) in &labels {
                    assert!(
                        x - w / 2 >= LEFT && x + w / 2 <= WIDTH - RIGHT,
                        "{n} bars: {x} outside"
                    );
                }
                for pair in labels.windows(2) {
                    assert!(
                        pair[1].0 - pair[0].0 >= w + LABEL_GAP,
                        "{n} bars of {label}: labels at {} and {} overlap",
                        pair[0].0,
                        pair[1].0
                    );
                }
            }
        }
    }
}
