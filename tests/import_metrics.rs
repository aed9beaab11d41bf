//! `zongjie import --metrics`: figures the tool computes exactly (完成率 with
//! value and plan stated, 同比 with both years stated) become `metrics` and
//! 【key.attr】 references, and the round trip still holds character for
//! character; a figure that does not compute stays text, located and
//! commented. Inputs are seed 001 and the examples, and seed 001 with last
//! year's figures or the plan written into its sentences.

mod import_support;

use import_support::*;

/// Seed 001 with the figures a report states when it gives both years or
/// the plan, one of them not what its figures give.
const EDITS: [(&str, &str); 4] = [
    (
        "县域就诊率达91.59%,同比增加0.41个百分点",
        "县域就诊率达91.59%,上年为91.18%,同比增加0.41个百分点",
    ),
    (
        "高层次人才”16名,同比增长33%",
        "高层次人才”16名,上年12名,同比增长33%",
    ),
    ("完成年度投资计划的102%", "完成年度投资计划21716万元的102%"),
    // 118 / 150 is down 21.33%, not 20.17%: kept as text.
    (
        "感染者118例,同比上年下降20.17%",
        "感染者118例,上年150例,同比上年下降20.17%",
    ),
];

fn edited_seed() -> String {
    let mut text = String::from_utf8(seed("001_90e35aa37e5e9a91.txt")).unwrap();
    for (from, to) in EDITS {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn computable_figures_become_metrics_and_the_text_still_round_trips() {
    let text = edited_seed();
    let mut expected = lishui_expected();
    for p in expected.iter_mut() {
        for (from, to) in EDITS {
            *p = p.replacen(from, to, 1);
        }
    }
    let (got, notes) = import_and_build_with("metrics", "001.txt", text.as_bytes(), &["--metrics"]);
    assert_round_trip(
        "seed 001 with both years stated, --metrics",
        &got,
        &expected,
    );
    assert_eq!(got.len(), expected.len());

    let dir = temp("import-metrics-draft");
    std::fs::write(dir.join("001.txt"), &text).unwrap();
    let (code, _) = run(&dir, &["import", "001.txt", "--metrics", "-o", "d.yaml"]);
    assert_eq!(code, 0);
    let draft = std::fs::read_to_string(dir.join("d.yaml")).unwrap();
    // Block scalars are wrapped between two Chinese characters.
    let flat: String = draft.lines().map(|l| l.trim_start()).collect();
    for want in [
        "  县域就诊率: {value: \"91.59%\", prev: \"91.18%\"}",
        "  卫生高层次人才: {value: \"16名\", prev: \"12名\", digits: 0}",
        "  完成投资: {value: \"22150万元\", plan: \"21716万元\", digits: 0}",
        "县域就诊率达【县域就诊率】,上年为【县域就诊率.上年】,【县域就诊率.同比】",
        "【卫生高层次人才.同比】",
        "完成投资【完成投资】,完成年度投资计划【完成投资.计划】的【完成投资.完成率】",
        "# 请核对：",
    ] {
        assert!(
            draft.contains(want) || flat.contains(want.trim_start()),
            "missing `{want}` in\n{draft}"
        );
    }
    assert!(
        flat.contains("感染者118例,上年150例,同比上年下降20.17%"),
        "the figure that does not compute stays text"
    );
    let line = text.lines().position(|l| l.contains("上年150例")).unwrap() + 1;
    assert!(
        notes.contains(&format!("001.txt:{line}:"))
            && notes.contains("同比上年下降20.17%")
            && notes.contains("同比上年下降21.33%"),
        "{notes}"
    );
    // Without the flag the numbers stay in the text.
    let (code, _) = run(&dir, &["import", "001.txt", "-o", "plain.yaml"]);
    assert_eq!(code, 0);
    let plain = std::fs::read_to_string(dir.join("plain.yaml")).unwrap();
    assert!(!plain.contains("metrics:"), "{plain}");
}

#[test]
fn seeds_and_examples_round_trip_with_metrics() {
    let (got, _) = import_and_build_with(
        "metrics-s1",
        "001.txt",
        &seed("001_90e35aa37e5e9a91.txt"),
        &["--metrics"],
    );
    assert_round_trip("seed 001, --metrics", &got, &lishui_expected());
    assert_eq!(got.len(), lishui_expected().len());
    for data in ["data/lishui-2022.yaml", "data/wenzhou-2023-tasks.yaml"] {
        let (text, expected) = rendered_text(data);
        let (got, _) =
            import_and_build_with("metrics-data", "d.txt", text.as_bytes(), &["--metrics"]);
        assert_round_trip(
            &format!("{data} rendered to text, --metrics"),
            &got,
            &expected,
        );
        assert_eq!(got.len(), expected.len());
    }
    let (got, _) = import_and_build_with(
        "metrics-s2",
        "002.txt",
        &seed("002_cb932b672b738f31.txt"),
        &["--metrics"],
    );
    assert_round_trip("seed 002, --metrics", &got, &wenzhou_expected());
}
