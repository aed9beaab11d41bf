//! Plain-text tables for the terminal, aligned by display width: a Chinese
//! character takes two columns, a Latin letter one (`unicode-width`), so
//! `zongjie fonts` and `zongjie metrics` line up in any monospace terminal.

use unicode_width::UnicodeWidthStr;

/// Columns a string takes in a monospace terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `columns` display columns.
pub fn pad(s: &str, columns: usize) -> String {
    let mut out = String::from(s);
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(s))));
    out
}

/// Which side of its column a cell sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// The rows as lines, each column as wide as its widest cell, columns two
/// spaces apart, no trailing spaces. Rows may be shorter than others.
pub fn table(rows: &[Vec<String>], align: &[Align]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let gap = widths[c].saturating_sub(width(cell));
            if align.get(c) == Some(&Align::Right) {
                line.extend(std::iter::repeat_n(' ', gap));
                line.push_str(cell);
            } else {
                line.push_str(&pad(cell, widths[c]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_two_columns() {
        assert_eq!(width("仿宋"), 4);
        assert_eq!(width("小标宋"), 6);
        assert_eq!(width("body"), 4);
        assert_eq!(pad("仿宋", 6), "仿宋  ");
        assert_eq!(pad("很长的名字", 2), "很长的名字");
    }

    #[test]
    fn table_lines_up_mixed_scripts() {
        let rows = vec![
            vec!["title".to_string(), "小标宋".into(), "x".into()],
            vec!["body".to_string(), "仿宋".into(), "yy".into()],
        ];
        let t = table(&rows, &[Align::Left, Align::Left, Align::Right]);
        assert_eq!(t, "title  小标宋   x\nbody   仿宋    yy\n");
        let widths: Vec<usize> = t.lines().map(width).collect();
        assert_eq!(widths, [17, 17]);
    }
}
