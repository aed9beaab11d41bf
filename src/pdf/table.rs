//! Task-table geometry: column widths that suit the content (narrow 序号
//! and 项目名称, wide item columns), computed like an automatic table layout
//! from each column's narrowest and widest content and its amount of text
//! (`column_widths`), or in whole characters so that the table is as short
//! as it can be — each column's width following its amount of text
//! (`column_chars`).

/// What one column holds, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnNeeds {
    /// The widest unbreakable piece (plus padding): the column never goes below it.
    pub min: f64,
    /// The widest line unbroken (plus padding): the column never needs more.
    pub max: f64,
    /// How much text the column holds (sum of line widths of its body cells).
    pub area: f64,
}

/// Column widths summing to `avail`: every column gets at least its minimum,
/// the rest goes to the columns with the most text, none past its maximum
/// until all are satisfied.
pub fn column_widths(cols: &[ColumnNeeds], avail: f64) -> Vec<f64> {
    let n = cols.len();
    if n == 0 {
        return Vec::new();
    }
    let sum_max: f64 = cols.iter().map(|c| c.max.max(c.min)).sum();
    if sum_max <= avail {
        // Everything fits on one line: widen in proportion to content.
        let extra = avail - sum_max;
        return cols
            .iter()
            .map(|c| c.max.max(c.min) + extra * c.max.max(c.min) / sum_max.max(1e-9))
            .collect();
    }
    let sum_min: f64 = cols.iter().map(|c| c.min).sum();
    if sum_min >= avail {
        return cols
            .iter()
            .map(|c| c.min * avail / sum_min.max(1e-9))
            .collect();
    }
    let mut w: Vec<f64> = cols.iter().map(|c| c.min).collect();
    let mut left = avail - sum_min;
    for _ in 0..n + 1 {
        let active: Vec<usize> = (0..n).filter(|&i| w[i] < cols[i].max - 1e-9).collect();
        if active.is_empty() || left <= 1e-9 {
            break;
        }
        let weight: f64 = active.iter().map(|&i| cols[i].area.max(1.0)).sum();
        let mut given = 0.0;
        for &i in &active {
            let share = left * cols[i].area.max(1.0) / weight;
            let add = share.min(cols[i].max - w[i]);
            w[i] += add;
            given += add;
        }
        left -= given;
    }
    if left > 1e-9 {
        // All columns at their maximum (cannot happen when sum_max > avail).
        let total: f64 = w.iter().sum();
        for x in &mut w {
            *x += left * *x / total;
        }
    }
    w
}

/// What one column holds, in characters of the table's size.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnText {
    /// The widest unbreakable piece: the column never goes below it.
    pub min: u32,
    /// The widest paragraph unbroken: the column never needs more.
    pub max: u32,
    /// Per row (header first), the width of each paragraph of the cell.
    pub rows: Vec<Vec<f64>>,
}

/// Lines a cell of paragraphs `paras` takes in `chars` characters (an
/// estimate: every paragraph filled to the last character).
fn cell_lines(paras: &[f64], chars: u32) -> f64 {
    let w = f64::from(chars.max(1));
    paras.iter().map(|p| (p / w - 1e-6).ceil().max(1.0)).sum()
}

/// The height in lines of a table whose columns are `chars` wide.
fn table_lines(cols: &[ColumnText], chars: &[u32]) -> f64 {
    let rows = cols.iter().map(|c| c.rows.len()).max().unwrap_or(0);
    (0..rows)
        .map(|r| {
            cols.iter()
                .zip(chars)
                .map(|(c, &k)| c.rows.get(r).map_or(1.0, |p| cell_lines(p, k)))
                .fold(1.0, f64::max)
        })
        .sum()
}

/// Whole-character column widths summing to `total` characters: each at
/// least its minimum, then characters moved one at a time to whichever
/// column makes the table shortest (rows as tall as their fullest cell),
/// so columns get width in proportion to the text they hold; ties keep
/// the wider column for the longer text. Bounded: at most `total`² moves.
pub fn column_chars(cols: &[ColumnText], total: u32) -> Vec<u32> {
    let n = cols.len();
    if n == 0 {
        return Vec::new();
    }
    let sum_min: u32 = cols.iter().map(|c| c.min.max(1)).sum();
    if sum_min >= total {
        // Too narrow for every minimum: share in proportion to the minimums.
        let mut w: Vec<u32> = cols
            .iter()
            .map(|c| (u64::from(c.min.max(1)) * u64::from(total) / u64::from(sum_min)) as u32)
            .map(|x| x.max(1))
            .collect();
        let mut k = 0;
        while w.iter().sum::<u32>() < total {
            w[k % n] += 1;
            k += 1;
        }
        return w;
    }
    // Start at the minimums and hand out characters to the column that
    // gains most (then the one with the most text per character).
    let mut w: Vec<u32> = cols.iter().map(|c| c.min.max(1)).collect();
    let text = |c: &ColumnText| c.rows.iter().flatten().sum::<f64>();
    for _ in sum_min..total {
        let here = table_lines(cols, &w);
        let mut best: Option<(f64, f64, usize)> = None;
        for i in 0..n {
            let capped = w[i] >= cols[i].max.max(cols[i].min);
            w[i] += 1;
            let gain = here - table_lines(cols, &w);
            w[i] -= 1;
            let density = text(&cols[i]) / f64::from(w[i]);
            let key = (if capped { -1.0 } else { gain }, density, i);
            if best.is_none_or(|(g, d, _)| key.0 > g + 1e-9 || (key.0 > g - 1e-9 && key.1 > d)) {
                best = Some(key);
            }
        }
        if let Some((_, _, i)) = best {
            w[i] += 1;
        }
    }
    // Then move single characters while that shortens the table.
    for _ in 0..total.saturating_mul(total).min(10_000) {
        let here = table_lines(cols, &w);
        let mut moved = false;
        'search: for from in 0..n {
            if w[from] <= cols[from].min.max(1) {
                continue;
            }
            for to in 0..n {
                if to == from {
                    continue;
                }
                w[from] -= 1;
                w[to] += 1;
                if table_lines(cols, &w) < here - 1e-9 {
                    moved = true;
                    break 'search;
                }
                w[from] += 1;
                w[to] -= 1;
            }
        }
        if !moved {
            break;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_sum_to_the_measure_and_respect_minimums() {
        let cols = [
            ColumnNeeds {
                min: 30.0,
                max: 30.0,
                area: 100.0,
            },
            ColumnNeeds {
                min: 54.0,
                max: 120.0,
                area: 600.0,
            },
            ColumnNeeds {
                min: 54.0,
                max: 900.0,
                area: 6000.0,
            },
            ColumnNeeds {
                min: 54.0,
                max: 1800.0,
                area: 16000.0,
            },
            ColumnNeeds {
                min: 54.0,
                max: 400.0,
                area: 3000.0,
            },
        ];
        let w = column_widths(&cols, 442.0);
        assert!((w.iter().sum::<f64>() - 442.0).abs() < 1e-6, "{w:?}");
        for (x, c) in w.iter().zip(&cols) {
            assert!(*x >= c.min - 1e-9 && *x <= c.max + 1e-9, "{w:?}");
        }
        assert_eq!(w[0], 30.0, "序号 stays narrow");
        assert!(w[3] > w[2] && w[2] > w[1], "{w:?}");
    }

    #[test]
    fn short_tables_fill_the_measure() {
        let cols = [
            ColumnNeeds {
                min: 20.0,
                max: 40.0,
                area: 40.0,
            },
            ColumnNeeds {
                min: 20.0,
                max: 60.0,
                area: 60.0,
            },
        ];
        let w = column_widths(&cols, 200.0);
        assert!((w.iter().sum::<f64>() - 200.0).abs() < 1e-6);
        assert!(w[1] > w[0]);
    }

    fn col(min: u32, max: u32, rows: &[&[f64]]) -> ColumnText {
        ColumnText {
            min,
            max,
            rows: rows.iter().map(|r| r.to_vec()).collect(),
        }
    }

    #[test]
    fn whole_character_columns_follow_the_amount_of_text() {
        // 序号, 项目名称, 攻坚目标, 攻坚举措, 责任单位 of a task table:
        // the goals hold about half as much text as the measures.
        let rows = 6;
        let cols = [
            col(2, 2, &vec![&[2.0][..]; rows]),
            col(4, 6, &vec![&[6.0][..]; rows]),
            col(4, 60, &vec![&[60.0, 30.0][..]; rows]),
            col(4, 120, &vec![&[60.0, 50.0, 40.0, 30.0][..]; rows]),
            col(4, 20, &vec![&[20.0][..]; rows]),
        ];
        let w = column_chars(&cols, 32);
        assert_eq!(w.iter().sum::<u32>(), 32, "{w:?}");
        assert_eq!(w[0], 2, "{w:?}");
        assert!(w[3] > w[2] && w[2] > w[4], "{w:?}");
        // Width follows text: the measures hold twice the goals' text and
        // get about twice their width.
        let ratio = f64::from(w[3]) / f64::from(w[2]);
        assert!((ratio / 2.0 - 1.0).abs() < 0.15, "{w:?}");
        let old = [2, 4, 5, 17, 4];
        assert!(table_lines(&cols, &w) <= table_lines(&cols, &old), "{w:?}");
    }

    #[test]
    fn whole_character_columns_are_total_and_bounded() {
        assert!(column_chars(&[], 30).is_empty());
        let wide = [col(40, 40, &[&[40.0]]), col(40, 40, &[&[40.0]])];
        assert_eq!(column_chars(&wide, 30).iter().sum::<u32>(), 30);
        let empty = [ColumnText::default(), ColumnText::default()];
        assert_eq!(column_chars(&empty, 30).iter().sum::<u32>(), 30);
        assert_eq!(column_chars(&empty, 0).iter().sum::<u32>(), 2);
    }

    #[test]
    fn too_many_minimums_scale_down() {
        let cols = [ColumnNeeds {
            min: 300.0,
            max: 300.0,
            area: 1.0,
        }; 3];
        let w = column_widths(&cols, 300.0);
        assert!((w.iter().sum::<f64>() - 300.0).abs() < 1e-6);
        assert!(column_widths(&[], 100.0).is_empty());
    }
}
