//! The data format beyond what the example data uses: imports, computed
//! 完成率/占比/同比, literal 【【, omitted parts, block items, numbering past
//! ten, attachments, signature and date, the half-year genre's title, and
//! BOM + CRLF input. The rendered Markdown is snapshotted.

use std::path::Path;

use zongjie::build::compile;
use zongjie::render::Templates;

fn markdown(path: &str) -> (String, Vec<String>) {
    let templates = Templates::load(None).unwrap();
    let c = compile(Path::new(path), &templates).unwrap_or_else(|d| panic!("{d:#?}"));
    (
        c.markdown,
        c.warnings.iter().map(|w| w.render_short()).collect(),
    )
}

#[test]
fn every_feature_renders() {
    let (md, warnings) = markdown("tests/fixtures/features/half.yaml");
    for needle in [
        "# 某区卫生健康局2023年上半年工作总结和下半年工作思路",
        "同比增加0.41个百分点，上年为91.18%",
        "托位3.88万个，同比增长10.9%",
        "占69.6%",
        "完成率50.3%",
        "同比上年下降20.17%",
        "【注】本文为示例。",
        "## 三、下半年工作思路",
        "*11.第十一项*。子。",
        "<!-- zongjie:signature -->\n某区卫生健康局",
        "<!-- zongjie:date -->\n2023年7月5日",
        "<!-- zongjie:attachment -->\n附件\n\n# 下半年攻坚任务清单",
        "| 1 | 医学高峰建设 | ①新增三甲医院2家。<br>②促进优质医疗资源扩容。 | 推动创建三甲专科医院。 | \\*市卫健委、市发改委 |",
        "draft: true",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    assert!(!md.contains("被略去"), "an omitted part renders nothing");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("stated change 10% disagrees with the computed 25.0%"),
        "{warnings:?}"
    );
    insta::assert_snapshot!(md);
}

#[test]
fn bom_and_crlf_input_builds_like_plain_input() {
    let plain = std::fs::read_to_string("tests/fixtures/features/half.yaml").unwrap();
    let dir = std::env::temp_dir().join(format!("zongjie-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("tests/fixtures/features/prev.yaml", dir.join("prev.yaml")).unwrap();
    let path = dir.join("half.yaml");
    std::fs::write(&path, format!("\u{feff}{}", plain.replace('\n', "\r\n"))).unwrap();
    let (md, _) = markdown(path.to_str().unwrap());
    let (expected, _) = markdown("tests/fixtures/features/half.yaml");
    assert_eq!(md, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}
