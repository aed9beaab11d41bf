//! The data-loading path's messages in Chinese (`--lang zh`) and, for the
//! same inputs, unchanged in English: the UTF-8 check, the YAML parser's
//! errors by kind, type errors, unknown fields with did-you-mean, the
//! deserialisers' own checks, imports, quantities, metric references and
//! `zongjie metrics`.

mod common;

/// `check FILE --lang LANG`: the lines of stderr.
fn check(file: &str, lang: &str) -> Vec<String> {
    let run = common::zongjie(
        common::root(),
        &["check", file, "--ignore-system-fonts", "--lang", lang],
    );
    assert_eq!(run.code, 1, "{file} --lang {lang}:\n{}", run.stderr);
    run.stderr.lines().map(str::to_string).collect()
}

/// Asserts that each of `expected` is one line of `lines`.
fn has_lines(what: &str, lines: &[String], expected: &[&str]) {
    for line in expected {
        assert!(
            lines.iter().any(|l| l == line),
            "{what}: no line {line:?} in\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn loading_errors_read_as_chinese_and_english_is_unchanged() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "tests/fixtures/bad/unknown-field-doc.yaml",
            &[
                "错误：没有 `yaer` 这个字段",
                "  = 提示：是不是要写 `year`？",
            ],
            &[
                "error: unknown field `yaer`",
                "  = hint: did you mean `year`?",
            ],
        ),
        (
            "tests/fixtures/bad/yaml-fullwidth-colon.yaml",
            &[
                "错误：`title` 后面是全角冒号 `：`：YAML 只认半角冒号 `:` 作为字段名的结束",
                "  = 提示：请把 `title：` 改为 `title: `（半角冒号，后面加一个空格）",
            ],
            &[
                "error: full-width colon `：` after `title`: YAML ends a key only with an ASCII colon `:`",
                "  = hint: type `title: ` (ASCII colon, then a space) instead of `title：`",
            ],
        ),
        (
            // The YAML parser's own English, mapped by its kind.
            "tests/fixtures/bad/yaml-unclosed-quote.yaml",
            &[
                "错误：引号没有闭合：开头的 `\"` 或 `'` 缺少与之配对的结尾引号",
                "  = 提示：请检查这里的 YAML 写法：括号和引号是否闭合，缩进是否都用空格",
            ],
            &[
                "error: unclosed quote",
                "  = hint: check the YAML syntax here: closing brackets and quotes, and indentation with spaces",
            ],
        ),
        (
            // A type error: serde's words and the visitor's expectation.
            "tests/fixtures/bad/wrong-type-metric-list.yaml",
            &[
                "错误：这里应当是一个数量（如 `3.88万个`），或带有 `value`、`plan`、`prev`、`of` 等的字段，实际写的是一个列表",
                "  = 提示：请对照 docs/data-format.md 检查这个值的形式（文字、列表还是 `键: 值` 字段）",
            ],
            &[
                "error: expected a quantity such as `3.88万个`, or a map with `value`, `plan`, `prev`, `of`, …; found a list",
                "  = hint: check the value's shape against docs/data-format.md (text, list or map)",
            ],
        ),
        (
            // A deserialiser's own check keeps its hint in both languages.
            "tests/fixtures/bad/digits-out-of-range.yaml",
            &[
                "错误：`digits`（小数位数）应为 0 到 10，不能是 200",
                "  = 提示：`digits` 是计算出的比率和增减保留的小数位数（不写时为 1）",
            ],
            &[
                "error: digits must be 0 to 10 (decimal places), not 200",
                "  = hint: `digits` is the number of decimal places of the computed rates and changes (1 when left out)",
            ],
        ),
        (
            "tests/fixtures/bad/gbk.yaml",
            &["错误：文件是 GBK/GB18030 编码，不是 UTF-8"],
            &["error: the file is encoded in GBK/GB18030, not UTF-8"],
        ),
        (
            "tests/fixtures/bad/import-missing.yaml",
            &[
                "错误：导入 `上年`：找不到文件 tests/fixtures/bad/lishui-2021.yaml",
                "  = 提示：导入路径相对于导入它的文件",
            ],
            &[
                "error: import `上年`: file not found: tests/fixtures/bad/lishui-2021.yaml",
                "  = hint: import paths are relative to the file that imports them",
            ],
        ),
        (
            "tests/fixtures/bad/quantity-unparsable.yaml",
            &[
                "错误：数量“很多个”中没有数字",
                "  = 提示：数量以阿拉伯数字开头（GB/T 15835）；请写一个数和它的单位，例如 4000余名、约18万人次、2-3个、14.02亿元、91.59%、7/10万以内",
            ],
            &[
                "error: no number in quantity \"很多个\"",
                "  = hint: a quantity starts with an Arabic number (GB/T 15835); write a number and its unit, e.g. 4000余名, 约18万人次, 2-3个, 14.02亿元, 91.59%, 7/10万以内",
            ],
        ),
        (
            "tests/fixtures/bad/unit-mismatch.yaml",
            &["错误：单位不一致：14.02亿元 的单位是“元”，27.87个 的单位是“个”"],
            &["error: unit mismatch: \"元\" in 14.02亿元 and \"个\" in 27.87个"],
        ),
        (
            "tests/fixtures/bad/unknown-metric-attribute.yaml",
            &[
                "错误：【县域就诊率.环比】中的 `环比` 不是指标的属性",
                "  = 提示：是不是要写 【县域就诊率.同比】？",
            ],
            &[
                "error: unknown attribute `环比` in 【县域就诊率.环比】",
                "  = hint: did you mean 【县域就诊率.同比】?",
            ],
        ),
        (
            "tests/fixtures/bad/numbering-unknown-style.yaml",
            &["错误：没有 `甲、` 这种编号样式"],
            &["error: unknown numbering style `甲、`"],
        ),
    ];
    for (file, zh, en) in cases {
        has_lines(&format!("{file} --lang zh"), &check(file, "zh"), zh);
        has_lines(&format!("{file} --lang en"), &check(file, "en"), en);
    }
}

#[test]
fn a_stated_rate_that_disagrees_is_told_in_chinese() {
    let dir = common::temp("data-messages-zh");
    std::fs::write(
        dir.join("m.yaml"),
        "doc: {title: 测试, year: 2022, issuer: 某委}\nmetrics:\n  投资: {value: 14.02亿元, plan: 27.87亿元, rate: 60%}\n",
    )
    .unwrap();
    let run = |args: &[&str]| common::zongjie(&dir, args);

    let zh = run(&["check", "m.yaml", "--ignore-system-fonts", "--lang", "zh"]);
    assert!(
        zh.stderr.lines().any(|l| l
            == "警告：指标 `投资`：写明的完成率 60% 与计算出的 50.3% 不一致（由 `value` 14.02亿元、`plan` 27.87亿元 算得）"),
        "{}",
        zh.stderr
    );
    let en = run(&["check", "m.yaml", "--ignore-system-fonts", "--lang", "en"]);
    assert!(
        en.stderr.lines().any(|l| l
            == "warning: metric `投资`: the stated rate 60% disagrees with the computed 50.3% (from value 14.02亿元, plan 27.87亿元)"),
        "{}",
        en.stderr
    );

    let zh = run(&["metrics", "m.yaml", "--lang", "zh"]);
    let out = String::from_utf8_lossy(&zh.stdout);
    assert!(
        out.lines()
            .any(|l| l == "m.yaml：共 1 个指标，其中 1 处写明的值与计算结果不一致"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l == "m.yaml:3:45：投资 完成率：写明 60%，计算得 50.3%（印出的是写明的值）"),
        "{out}"
    );
    let en = run(&["metrics", "m.yaml", "--lang", "en"]);
    let out = String::from_utf8_lossy(&en.stdout);
    assert!(
        out.lines()
            .any(|l| l == "m.yaml: 1 metric(s), 1 stated value(s) disagree with the computed ones"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l
            == "m.yaml:3:45: 投资 完成率: stated 60%, computed 50.3% (the stated value is printed)"),
        "{out}"
    );
    // The JSON keeps its field names.
    let json = run(&["metrics", "m.yaml", "--json", "--lang", "zh"]);
    let out = String::from_utf8_lossy(&json.stdout);
    assert!(out.contains("\"disagreements\""), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
