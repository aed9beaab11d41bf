//! Text is never altered behind the author's back, through the real binary:
//! YAML's line folding is undone for every scalar style, a ` #` that cuts a
//! text short is a located warning, and what cannot be told is said. Each
//! run is bounded in time and memory (as in `tests/bad_inputs.rs`).

use std::path::Path;
use std::time::Duration;

mod common;
use common::temp;

const TIME_LIMIT: Duration = Duration::from_secs(20);
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

struct Run {
    code: Option<i32>,
    stderr: String,
}

/// Runs the binary in `dir` under the memory limit, asserting the time bound.
fn zongjie(dir: &Path, args: &[&str]) -> Run {
    let (out, _) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code(),
        stderr,
    }
}

/// Builds `src` as `r.yaml` to Markdown; returns the body and stderr.
fn build_md(name: &str, src: &str) -> (String, String) {
    let dir = temp(&format!("text-{name}"));
    std::fs::write(dir.join("r.yaml"), src).expect("write");
    let run = zongjie(&dir, &["build", "r.yaml", "--format", "md", "--out", "out"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let md = std::fs::read_to_string(dir.join("out/r.md")).expect("md");
    let _ = std::fs::remove_dir_all(&dir);
    (md, run.stderr)
}

const DOC: &str = "doc: {title: 测试, year: 2022, issuer: 某委}\n";

#[test]
fn folded_line_breaks_follow_the_block_rule() {
    let src = format!(
        "{DOC}intro:
  - 在市委市政府的坚强领导下，
    区卫生健康工作取得新进展。
  - >
    全市新建
    ICU
    床位，引进 CMI
    value 指标。

    第二段。
  - \"坚持人民至上，
    生命至上\"
  - '单引号的
    ''文字'''
parts:
  - title: 总结
    sections:
      - lead: 落实落细疫情防控，
          牢牢守住底线
        items:
          - 强化监测，
            及时预警。
"
    );
    let (md, stderr) = build_md("fold", &src);
    for line in [
        "在市委市政府的坚强领导下，区卫生健康工作取得新进展。",
        "全市新建ICU床位，引进 CMI value 指标。",
        "第二段。",
        "坚持人民至上，生命至上",
        "单引号的'文字'",
        "落实落细疫情防控，牢牢守住底线*。",
        "一是强化监测，及时预警。",
    ] {
        assert!(md.contains(line), "`{line}` missing in\n{md}");
    }
    assert!(!md.contains("， "), "a folded space survived:\n{md}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn a_comment_that_cuts_chinese_text_short_is_a_warning_at_the_hash() {
    let src = format!(
        "{DOC}intro:\n  - 平台 #一期# 工程。\n  - 这一段有注释。  # 说明\n  - \"引号里 #不是注释\"\n"
    );
    let (md, stderr) = build_md("comment", &src);
    assert!(md.contains("\n平台\n"), "{md}");
    assert!(md.contains("这一段有注释。\n"), "{md}");
    assert!(md.contains("引号里 \\#不是注释"), "{md}");
    assert!(
        stderr.contains(
            "warning: ` #` starts a comment in YAML: the rest of the line, `#一期# 工程。`, was dropped from the text\n  --> r.yaml:3:8\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("quote the whole text"), "{stderr}");
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
}

#[test]
fn a_comment_that_cuts_text_short_is_a_warning_whatever_precedes_it() {
    let src = format!(
        "{DOC}intro:\n  - 达到100% #一期工程完成\n  - “平台” #一期\n  - 建设5G #基站\n  - \"引号\" #注释\n  - 'x' #注释\n  - abc # 注释\n"
    );
    let (md, stderr) = build_md("comment-latin", &src);
    assert!(md.contains("达到100%\n"), "{md}");
    for (dropped, at) in [
        ("#一期工程完成", "r.yaml:3:12"),
        ("#一期", "r.yaml:4:10"),
        ("#基站", "r.yaml:5:10"),
    ] {
        assert!(
            stderr.contains(&format!(
                "the rest of the line, `{dropped}`, was dropped from the text\n  --> {at}\n"
            )),
            "{dropped}: {stderr}"
        );
    }
    // After a quoted text, and with a space after `#`, it is a comment.
    assert_eq!(stderr.matches("warning:").count(), 3, "{stderr}");
}

#[test]
fn double_quoted_escapes_are_read_and_what_cannot_be_told_is_a_warning() {
    let src = format!("{DOC}intro:\n  - \"坚持\\t人民至上，\n    生命\\u81f3上\"\n");
    let (md, stderr) = build_md("escaped", &src);
    assert!(md.contains("坚持\t人民至上，生命至上"), "{md}");
    assert!(!stderr.contains("warning"), "{stderr}");
    // An escaped tab right before a line break: YAML keeps it and folds
    // the break, so the space cannot be placed.
    let src = format!("{DOC}intro:\n  - \"坚持人民至上\\t\n    生命至上\"\n");
    let (md, stderr) = build_md("escaped-unknown", &src);
    assert!(md.contains("坚持人民至上\t 生命至上"), "{md}");
    assert!(
        stderr.contains("cannot be told from typed ones") && stderr.contains("--> r.yaml:3:5\n"),
        "{stderr}"
    );
}

#[test]
fn typed_enumeration_items_are_named_once_without_a_numbering_gap() {
    let src = format!(
        "{DOC}parts:\n  - title: 总结\n    sections:\n      - lead: 守住底线\n        items: [一是甲。, 二是乙。]\n"
    );
    let (_, stderr) = build_md("enumeration", &src);
    assert!(!stderr.contains("numbering gap"), "{stderr}");
    assert!(
        stderr.contains("the label `二是` is typed in the text"),
        "{stderr}"
    );
}

#[test]
fn a_generated_title_without_year_or_issuer_is_a_warning_naming_the_field() {
    let (md, stderr) = build_md("title", "doc:\n  genre: 年度总结和要点\nintro: 正文。\n");
    assert!(md.contains("# 年工作总结和年工作要点"), "{md}");
    assert!(
        stderr.contains("warning: no `title` and no `year` under `doc:`")
            && stderr.contains("--> r.yaml:1:1\n")
            && stderr.contains("`year: 2022`"),
        "{stderr}"
    );
    assert!(stderr.contains("no `issuer`"), "{stderr}");
    let (_, stderr) = build_md(
        "title-ok",
        "doc: {issuer: 某委, year: 2022}\nintro: 正文。\n",
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}
