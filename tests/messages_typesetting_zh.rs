//! The typesetting's messages in both languages: profile errors, `zongjie
//! profile`'s comments, `zongjie fonts`, template errors and the PDF's
//! glyph-coverage warning read as Chinese with `--lang zh`, and stay as they
//! were in English.

mod common;

use common::{root, temp, zongjie};

fn check(extra: &[&str], lang: &str) -> String {
    let mut args = vec!["check", "data/lishui-2022.yaml", "--ignore-system-fonts"];
    args.extend_from_slice(extra);
    args.extend(["--lang", lang]);
    zongjie(root(), &args).stderr
}

#[test]
fn a_profile_number_out_of_range_in_both_languages() {
    let profile = ["--profile", "tests/fixtures/bad-profiles/zero-lines.yaml"];
    let zh = check(&profile, "zh");
    assert!(
        zh.contains(
            "错误：版式配置：`grid.lines_per_page` 为 0，应在 3 到 200 行之间（默认值为 22）"
        ),
        "{zh}"
    );
    assert!(
        zh.contains("= 提示：运行 `zongjie profile` 可列出每一项及其默认值"),
        "{zh}"
    );
    let en = check(&profile, "en");
    assert!(
        en.contains(
            "error: profile: `grid.lines_per_page` is 0: it must be between 3 and 200 lines (the default is 22)"
        ),
        "{en}"
    );
    assert!(
        en.contains("= hint: `zongjie profile` prints every key with its default"),
        "{en}"
    );
}

#[test]
fn a_profile_parser_error_is_a_chinese_sentence() {
    let dir = temp("zh-profile-parser");
    std::fs::write(dir.join("typo.yaml"), "grid:\n  line_pich_pt: 28\n").unwrap();
    std::fs::write(dir.join("type.yaml"), "grid:\n  lines_per_page: abc\n").unwrap();
    let typo = dir.join("typo.yaml");
    let typo = typo.to_str().unwrap();
    let zh = check(&["--profile", typo], "zh");
    assert!(
        zh.contains("错误：版式配置：没有 `line_pich_pt` 这个字段；这一级可以写的字段有：`lines_per_page`、`chars_per_line`、`line_pitch_pt`、`indent_chars`"),
        "{zh}"
    );
    let en = check(&["--profile", typo], "en");
    assert!(
        en.contains("error: profile: unknown field `line_pich_pt`, expected one of lines_per_page, chars_per_line, line_pitch_pt, indent_chars"),
        "{en}"
    );
    let wrong = dir.join("type.yaml");
    let zh = check(&["--profile", wrong.to_str().unwrap()], "zh");
    assert!(
        zh.contains(
            "错误：版式配置：`grid.lines_per_page` 应填 3 到 200 行之间的整数；这里写的是 `abc`"
        ),
        "{zh}"
    );
    let en = check(&["--profile", wrong.to_str().unwrap()], "en");
    assert!(
        en.contains(
            "error: profile: `grid.lines_per_page` takes a whole number between 3 and 200 lines; found `abc`"
        ),
        "{en}"
    );
}

#[test]
fn a_template_syntax_error_names_the_template_and_line_in_chinese() {
    let dir = temp("zh-template-syntax");
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("annual.md.tera"),
        "{% if doc.title %}\n{{ doc.title }\n",
    )
    .unwrap();
    let folder = templates.to_str().unwrap();
    let zh = check(&["--templates", folder], "zh");
    assert!(
        zh.contains("错误：模板 `annual.md.tera` 第 2 行第 14 列有语法错误：这里是 `}`，应当是 }}"),
        "{zh}"
    );
    assert!(
        zh.contains("= 提示：请改正这里的模板写法：标签写作 `{% … %}`"),
        "{zh}"
    );
    let en = check(&["--templates", folder], "en");
    assert!(
        en.contains("error: template: Found `}` but expected }}."),
        "{en}"
    );
    assert!(
        en.contains("= hint: fix the template syntax here: tags are {% … %}, values {{ … }}, comments {# … #}, and every {% for %} or {% if %} needs its {% endfor %} or {% endif %} (Tera 2; see docs/templates.md)"),
        "{en}"
    );
}

#[test]
fn a_character_no_font_has_is_warned_in_chinese() {
    let run = |lang: &str| {
        zongjie(
            root(),
            &[
                "check",
                "tests/fixtures/odd/rare-characters.yaml",
                "--ignore-system-fonts",
                "--lang",
                lang,
            ],
        )
        .stderr
    };
    let zh = run("zh");
    assert!(
        zh.contains("警告：PDF：所有字体都没有「龘」这个字符（U+9F98），印出来会是一个空框"),
        "{zh}"
    );
    assert!(
        zh.contains("= 提示：请安装含有这个字符的字体，并在版式配置中写明"),
        "{zh}"
    );
    let en = run("en");
    assert!(
        en.contains(
            "warning: PDF: no font has the character 龘 (U+9F98): it prints as an empty box"
        ),
        "{en}"
    );
}

#[test]
fn the_profile_comments_are_in_chinese_and_the_values_the_same() {
    let zh = zongjie(root(), &["profile", "--lang", "zh"]);
    let en = zongjie(root(), &["profile", "--lang", "en"]);
    assert_eq!((zh.code, en.code), (0, 0));
    let (zh, en) = (
        String::from_utf8(zh.stdout).unwrap(),
        String::from_utf8(en.stdout).unwrap(),
    );
    assert!(en.starts_with("# zongjie layout profile: the GB/T 9704-2012 defaults."));
    assert!(
        zh.starts_with("# zongjie 版式配置：GB/T 9704-2012 的默认值。"),
        "{zh}"
    );
    assert!(
        zh.contains("lines_per_page: 22   # 每页行数；3–200 行\n"),
        "{zh}"
    );
    assert!(en.contains("lines_per_page: 22   # lines per page; 3–200 lines\n"));
    // The same YAML, line for line, once the comments are taken off.
    let values = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split("   # ").next().unwrap_or(l).to_string())
            .collect()
    };
    assert_eq!(values(&zh), values(&en));
    for line in zh.lines().filter(|l| l.contains("   # ")) {
        let comment = line.split("   # ").nth(1).unwrap();
        assert!(
            comment
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "no Chinese in: {line}"
        );
    }
}

#[test]
fn zongjie_fonts_says_where_faces_come_from_in_chinese() {
    let run = |lang: &str| {
        let out = zongjie(root(), &["fonts", "--ignore-system-fonts", "--lang", lang]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        String::from_utf8(out.stdout).unwrap()
    };
    let zh = run("zh");
    let body = zh.lines().find(|l| l.starts_with("body ")).expect("body");
    assert!(
        body.contains("仿宋") && body.contains("FandolFang") && body.contains("内置"),
        "{zh}"
    );
    assert!(
        body.contains("fonts/FandolFang-Regular.otf（随程序提供）"),
        "{zh}"
    );
    let en = run("en");
    let body = en.lines().find(|l| l.starts_with("body ")).expect("body");
    assert!(
        body.contains("bundled") && body.contains("(built in: fonts/FandolFang-Regular.otf)"),
        "{en}"
    );
}

#[test]
fn a_stand_in_face_is_noted_in_chinese() {
    let dir = temp("zh-stand-in");
    std::fs::copy(
        root().join("tests/fixtures/odd/rare-characters.yaml"),
        dir.join("rare.yaml"),
    )
    .unwrap();
    let build = |lang: &str, out: &str| {
        zongjie(
            &dir,
            &[
                "build",
                "rare.yaml",
                "--format",
                "pdf",
                "--ignore-system-fonts",
                "--out",
                out,
                "--lang",
                lang,
            ],
        )
        .stderr
    };
    let zh = build("zh", "out-zh");
    assert!(
        zh.contains(
            "说明：PDF 字体：`body`（仿宋）在电脑上没有找到可用的字体，使用内置的 FandolFang"
        ),
        "{zh}"
    );
    assert!(
        zh.contains("说明：PDF 字体：`body`（仿宋）用的 FandolFang 缺少 "),
        "{zh}"
    );
    let en = build("en", "out-en");
    assert!(
        en.contains(
            "notice: PDF fonts: body role (仿宋): no installed face, using bundled FandolFang"
        ),
        "{en}"
    );
    assert!(
        en.contains("notice: PDF fonts: body role (仿宋): FandolFang lacks "),
        "{en}"
    );
}
