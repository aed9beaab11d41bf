//! Task-table geometry: column widths that suit the content (narrow 序号
//! and 项目名称, wide item columns), computed like an automatic table layout
//! from each column's narrowest and widest content and its amount of text.

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
