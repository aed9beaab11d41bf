//! Figures and budgets through the real binary, under a time and memory
//! bound: the one policy for rates without % and for stated values that
//! disagree with computed ones; runaway units, expanded text, did-you-mean
//! work and template loops are refused quickly with a located error; control
//! characters never reach the terminal raw.

mod common;

use std::path::Path;
use std::time::Duration;

use common::temp;

/// Wall-clock bound per run of the (debug) binary.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Address-space bound per run, in KiB (`ulimit -v`).
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

struct Run {
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

/// Runs the binary in `dir` under the memory limit.
fn bounded(dir: &Path, args: &[&str]) -> Run {
    let (out, took) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
    let run = Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

fn build_md(dir: &Path, file: &str) -> Run {
    bounded(dir, &["build", file, "--format", "md", "--out", "out"])
}

fn is_empty_or_missing(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

#[test]
fn a_rate_without_percent_warns_at_the_value_and_is_printed_as_typed() {
    let dir = temp("fig-unitless");
    std::fs::write(
        dir.join("r.yaml"),
        "metrics:\n  县域就诊率: {value: 45.6, prev: 42.3}\nintro: 县域就诊率达【县域就诊率】，【县域就诊率.同比】。\n",
    )
    .unwrap();
    let run = bounded(&dir, &["check", "r.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: metric `县域就诊率` is a rate, but its figure 45.6 has no unit\n  --> r.yaml:2:18\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("= hint: write 45.6% if it is a percentage")
    );
    assert!(run.stderr.contains("--> r.yaml:2:30\n"), "{}", run.stderr);
    let strict = bounded(&dir, &["check", "--strict", "r.yaml"]);
    assert_eq!(strict.code, Some(1), "{}", strict.stderr);
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let md = std::fs::read_to_string(dir.join("out/r.md")).unwrap();
    assert!(md.contains("县域就诊率达45.6，同比增长7.8%。"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stated_rates_and_changes_that_disagree_are_both_warnings_and_printed() {
    let dir = temp("fig-stated");
    std::fs::write(
        dir.join("r.yaml"),
        "metrics:\n  投资: {value: 14.02亿元, plan: 27.87亿元, rate: 60%}\n  报告: {value: 118例, prev: 148例, change: -10%}\nintro: 完成率【投资.完成率】，病例【报告.同比】。\n",
    )
    .unwrap();
    let run = bounded(&dir, &["check", "r.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning: metric `投资`: the stated rate 60% disagrees with the computed 50.3% (from value 14.02亿元, plan 27.87亿元)\n  --> r.yaml:2:45\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning: metric `报告`: the stated change -10% disagrees with the computed -20.3% (from value 118例, prev 148例)\n  --> r.yaml:3:41\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("= hint: the stated").count(), 2);
    assert_eq!(
        bounded(&dir, &["check", "--strict", "r.yaml"]).code,
        Some(1)
    );
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let md = std::fs::read_to_string(dir.join("out/r.md")).unwrap();
    assert!(md.contains("完成率60%，病例同比下降10%。"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_huge_unit_referenced_a_thousand_times_is_refused_at_once() {
    let dir = temp("fig-unit");
    let text = format!(
        "metrics:\n  病例: 1{}\nintro: {}\n",
        "个".repeat(100_000),
        "【病例】".repeat(1000)
    );
    std::fs::write(dir.join("r.yaml"), text).unwrap();
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("quantity \"1个个个个个个个个个个个个个个个…\" is 100001 characters long"),
        "{}",
        &run.stderr[..run.stderr.len().min(2000)]
    );
    assert!(run.stderr.contains("--> r.yaml:2:7\n"), "{}", run.stderr);
    assert!(
        run.stderr.len() < 4000,
        "{} bytes of messages",
        run.stderr.len()
    );
    assert!(is_empty_or_missing(&dir.join("out")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn expanded_text_past_16_mib_is_an_error() {
    let dir = temp("fig-expand");
    // 97 bytes per reference of 7 bytes: 200,000 references are 19 MB.
    let value = format!("超过{}万亿余{}以上", "1".repeat(28), "个".repeat(16));
    let text = format!(
        "metrics:\n  k: {value}\nintro: |\n  {}\n",
        "【k】".repeat(200_000)
    );
    std::fs::write(dir.join("r.yaml"), text).unwrap();
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: the document's text grows past 16 MiB when its 【…】 references are expanded\n  --> r.yaml:4:3\n"
        ),
        "{}",
        run.stderr
    );
    assert!(is_empty_or_missing(&dir.join("out")));
    // A tenth of it builds.
    let text = format!(
        "metrics:\n  k: {value}\nintro: |\n  {}\n",
        "【k】".repeat(20_000)
    );
    std::fs::write(dir.join("r.yaml"), text).unwrap();
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suggestions_for_many_unknown_references_among_many_keys_are_fast() {
    let dir = temp("fig-suggest");
    let keys: String = (0..300)
        .map(|i| format!("  {}{i:03}: 1个\n", "县域就诊率".repeat(12)))
        .collect();
    // 100 unknown references close to the keys, and 100 of 40,000 characters.
    let close: String = (0..100)
        .map(|i| format!("  【{}{i:03}x】\n\n", "县域就诊率".repeat(12)))
        .collect();
    let long: String = (0..100)
        .map(|i| format!("  【{}{i}】\n\n", "x".repeat(40_000)))
        .collect();
    std::fs::write(
        dir.join("r.yaml"),
        format!("metrics:\n{keys}intro: |\n{close}{long}"),
    )
    .unwrap();
    let run = bounded(&dir, &["check", "r.yaml"]);
    assert_eq!(run.code, Some(1), "{}", &run.stderr[..2000]);
    assert!(
        run.stderr.contains("= hint: did you mean 【"),
        "no suggestion"
    );
    // Bounded by TIME_LIMIT; full-length comparisons took minutes here.
    assert!(run.stderr.len() < 100_000, "{} bytes", run.stderr.len());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A project with one data file and `annual.md.tera` overridden by `template`.
fn with_template(name: &str, parts: usize, template: &str) -> std::path::PathBuf {
    let dir = temp(name);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("templates/annual.md.tera"), template).unwrap();
    let parts: String = (0..parts)
        .map(|i| format!("  - title: 第{i}部分\n"))
        .collect();
    std::fs::write(
        dir.join("r.yaml"),
        format!("doc: {{issuer: 丽水市卫生健康委员会, year: 2022}}\nparts:\n{parts}"),
    )
    .unwrap();
    dir
}

#[test]
fn template_loops_are_stopped_by_the_loop_and_output_budgets() {
    let dir = with_template(
        "fig-tpl-steps",
        1,
        "# 标题\n{% for i in range(end=100000) %}\n{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n",
    );
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: template annual.md.tera loops more than 1000000 times (range)\n  --> templates/annual.md.tera:3:"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("= hint: look for a loop"),
        "{}",
        run.stderr
    );
    assert!(is_empty_or_missing(&dir.join("out")));
    let _ = std::fs::remove_dir_all(&dir);

    let dir = with_template(
        "fig-tpl-size",
        1,
        &format!(
            "{{% for i in range(end=100000) %}}{}{{% endfor %}}\n",
            "县".repeat(400)
        ),
    );
    let run = build_md(&dir, "r.yaml");
    // 100,000 × 1,200 bytes would be 120 MB.
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: template annual.md.tera wrote more than 64 MiB\n  --> templates/annual.md.tera\n"),
        "{}",
        run.stderr
    );
    assert!(is_empty_or_missing(&dir.join("out")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_stuck_template_is_abandoned_at_its_deadline_and_the_process_exits() {
    // 40^7 iterations that neither write nor call range: only the deadline
    // stops them, and the abandoned thread must not keep the process alive.
    let dir = with_template(
        "fig-tpl-stuck",
        40,
        "{%- for a in parts -%}{%- for b in parts -%}{%- for c in parts -%}{%- for d in parts -%}{%- for e in parts -%}{%- for f in parts -%}{%- for g in parts -%}{%- endfor -%}{%- endfor -%}{%- endfor -%}{%- endfor -%}{%- endfor -%}{%- endfor -%}{%- endfor -%}\n",
    );
    let run = build_md(&dir, "r.yaml");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: template annual.md.tera took longer than 10 s to render\n  --> templates/annual.md.tera\n"),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(15), "{:?}", run.took);
    assert!(is_empty_or_missing(&dir.join("out")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let dir = temp("fig-controls");
    let name = "r\u{1b}]0;PWNED\u{7}.yaml";
    std::fs::write(
        dir.join(name),
        "intro: \"县域就诊率达【\\e]0;PWNED\\a\\e[2J\\u202e】。\"\n",
    )
    .unwrap();
    for format in ["human", "short", "json", "github"] {
        let run = bounded(&dir, &["check", "--diagnostic-format", format, name]);
        assert_eq!(run.code, Some(1), "{format}: {}", run.stderr);
        let bad = run
            .stderr
            .chars()
            .find(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c));
        assert_eq!(bad, None, "{format}: {:?}", run.stderr);
        assert!(
            run.stderr.contains("u{1b}]0;PWNED"),
            "{format}: {}",
            run.stderr
        );
        if format == "json" {
            let json: serde_json::Value =
                serde_json::from_str(&run.stderr).unwrap_or_else(|e| panic!("{e}: {}", run.stderr));
            assert_eq!(json[0]["file"], "r\\u{1b}]0;PWNED\\u{7}.yaml");
        }
    }
    // The per-document lines of `build` name the file escaped too.
    let run = bounded(&dir, &["build", name, "--format", "md", "--out", "out"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(
        run.stderr.contains("FAILED r\\u{1b}]0;PWNED\\u{7}.yaml"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
