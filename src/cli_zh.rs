//! The command line in Chinese: the help of every command and option, and
//! clap's usage errors retold, for runs whose language is Chinese
//! (see [`crate::i18n`]). The English help is the doc comments in `cli.rs`;
//! a test holds the two in step.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The Chinese help of each command (`id` empty: the command's summary)
/// and option, by the command's name (`*`: any command without its own).
const HELP: &[(&str, &str, &str)] = &[
    (
        "",
        "",
        "zongjie —— 用 YAML 数据生成政府工作总结和工作要点（Markdown、HTML、PDF、DOCX）",
    ),
    (
        "*",
        "lang",
        "提示信息的语言（默认按环境变量 LC_ALL、LC_MESSAGES、LANG 选择）",
    ),
    (
        "build",
        "",
        "把数据文件生成到 output/（按 --format 生成 Markdown、HTML、PDF、DOCX）",
    ),
    ("check", "", "检查数据文件和模板，列出每个错误和警告"),
    ("init", "", "把内置模板复制到 templates/，供本单位修改"),
    (
        "preview",
        "",
        "在浏览器里实时预览一个数据文件，每次保存后页面自动刷新",
    ),
    (
        "schema",
        "",
        "输出数据格式的 JSON Schema（供编辑器补全和校验）",
    ),
    ("fonts", "", "显示 PDF 的标题、正文等各处分别用哪种字体"),
    (
        "profile",
        "",
        "输出默认版式配置（YAML）；另存为数据文件旁的 profile.yaml，只改本单位不同的地方",
    ),
    (
        "import",
        "",
        "把去年的报告（.txt/.md/.docx，UTF-8、UTF-16 或 GBK）转成 YAML 草稿",
    ),
    (
        "new",
        "",
        "新建一个带中文注释的起步数据文件（每个字段都有说明）",
    ),
    (
        "metrics",
        "",
        "列出数据文件的每个指标：本期值、计划、上年、完成率、占比、同比，以及文中写明但与计算结果不符的数",
    ),
    ("help", "", "显示本帮助，或某个命令的帮助"),
    (
        "new",
        "file",
        "要新建的数据文件（*.yaml）；已有的文件不会被覆盖",
    ),
    (
        "new",
        "genre",
        "报告的种类：annual 年度总结和要点，half-year 半年总结和计划，tasks 攻坚任务清单",
    ),
    ("metrics", "file", "数据文件"),
    (
        "metrics",
        "json",
        "输出 JSON（格式固定，见 docs/data-format.md），不输出表格",
    ),
    (
        "metrics",
        "import_roots",
        "也允许从所给文件夹下的数据文件导入（可重复）",
    ),
    (
        "import",
        "file",
        "报告：从网页复制的文字、WPS/Word 导出的文本或 .docx、Markdown",
    ),
    (
        "import",
        "output",
        "草稿写到哪个文件（默认：直接显示在屏幕上，即标准输出）",
    ),
    ("import", "force", "草稿已存在时覆盖它"),
    (
        "import",
        "metrics",
        "把能准确算出的数字（完成率，以及两年都写明的同比）提取为 metrics，用【键.属性】引用",
    ),
    (
        "*",
        "profile",
        "版式配置（YAML 或 TOML）；默认用每个数据文件旁的 zongjie.toml、profile.yaml 或 zongjie.yaml，没有时用 GB/T 9704 默认值",
    ),
    (
        "*",
        "font_paths",
        "查找字体的文件夹，先于系统字体查找（可重复）",
    ),
    (
        "*",
        "ignore_system_fonts",
        "只用版式配置里的字体文件、--font-path 和内置字体（在每台机器上输出都一样）",
    ),
    ("preview", "file", "要预览的数据文件"),
    ("preview", "port", "端口（0 表示自动选一个空闲端口）"),
    (
        "preview",
        "host",
        "监听的网络接口；指定本机以外的地址时会警告",
    ),
    (
        "preview",
        "allow_hosts",
        "预览还接受的主机名（localhost 和访问所用地址之外）；可重复",
    ),
    (
        "preview",
        "build_timeout",
        "一次生成最多运行多少秒，超时即放弃并报告",
    ),
    ("preview", "open", "在默认浏览器中打开页面"),
    (
        "preview",
        "templates",
        "模板文件夹：其中的模板替换同名的内置模板（默认：有 templates/ 时用它）",
    ),
    (
        "preview",
        "import_roots",
        "也允许从所给文件夹下的数据文件导入（可重复）；默认只能导入数据文件所在文件夹内的文件",
    ),
    ("*", "inputs", "数据文件或文件夹（默认：data/）"),
    (
        "*",
        "templates",
        "模板文件夹：其中的 *.tera 模板按文件名替换内置模板（默认：有 templates/ 时用它）",
    ),
    ("*", "diagnostic_format", "错误和警告的显示格式"),
    ("*", "strict", "把警告当作错误"),
    (
        "*",
        "import_roots",
        "也允许从所给文件夹下的数据文件导入（可重复）；默认只能导入输入文件夹内的文件",
    ),
    ("build", "format", "输出格式（可重复给出，或用逗号分隔）"),
    ("build", "out", "输出文件夹"),
    ("build", "jobs", "同时生成的文档数（默认：CPU 核数）"),
    ("build", "force", "输入没有变化的文档也重新生成一遍"),
    (
        "build",
        "check",
        "不写任何文件，只检查：列出每个缺少或会改变的输出，有则以退出码 1 结束",
    ),
    (
        "build",
        "shard",
        "只生成 N 份中的第 K 份文档（1 ≤ K ≤ N），按各文档路径的哈希分配：N 份合起来每个文档恰好生成一次（用于 CI 矩阵：--shard $INDEX/$TOTAL）",
    ),
    (
        "init",
        "dir",
        "在哪个文件夹里建 templates/（“.”表示当前文件夹）",
    ),
    ("init", "force", "覆盖已有的模板"),
];

/// The Chinese help of option `id` of command `command` (`id` empty: the
/// command's summary).
pub fn help(command: &str, id: &str) -> Option<&'static str> {
    let find = |c: &str| HELP.iter().find(|(cmd, i, _)| *cmd == c && *i == id);
    find(command)
        .or_else(|| if id.is_empty() { None } else { find("*") })
        .map(|(_, _, text)| *text)
}

/// Every (command, option) the table names, for the test that holds it in
/// step with the English.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    HELP.iter().map(|(c, i, _)| (*c, *i))
}

const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` (built) with its help in Chinese: every summary and option, the
/// headings, the defaults and allowed values, and the help and version
/// flags.
pub fn localize(cmd: clap::Command) -> clap::Command {
    localize_named(cmd, "")
}

fn localize_named(mut cmd: clap::Command, name: &str) -> clap::Command {
    if let Some(about) = help(name, "") {
        cmd = cmd.about(about).long_about(None::<&str>);
    }
    cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .mut_args(|arg| {
            let id = arg.get_id().as_str().to_string();
            let heading = if arg.is_positional() {
                "参数"
            } else {
                "选项"
            };
            let text = match id.as_str() {
                "help" => Some("显示帮助".to_string()),
                "version" => Some("显示版本号".to_string()),
                _ => help(name, &id).map(|h| with_choices(h, &arg)),
            };
            let arg = match value_name(&arg) {
                Some(v) => arg.help_heading(heading).value_name(v),
                None => arg.help_heading(heading),
            };
            match text {
                Some(t) => arg
                    .help(t)
                    .long_help(None::<&str>)
                    .hide_default_value(true)
                    .hide_possible_values(true),
                None => arg,
            }
        });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for sub in names {
        cmd = cmd.mut_subcommand(&sub, |s| localize_named(s, &sub));
    }
    cmd
}

/// The help `text` with `默认：…；可选：…` for an option with a default or a
/// fixed set of values: inside the text's closing parenthesis when it ends
/// with one (`端口（0 表示自动选择；默认：8023）`), else in one of its own.
fn with_choices(text: &str, arg: &clap::Arg) -> String {
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let values: Vec<String> = if arg.get_num_args().is_some_and(|n| n.takes_values()) {
        arg.get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect()
    } else {
        Vec::new()
    };
    let mut parts = Vec::new();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        parts.push(format!("默认：{}", defaults.join(",")));
    }
    if !values.is_empty() {
        parts.push(format!("可选：{}", values.join("、")));
    }
    if parts.is_empty() {
        text.to_string()
    } else if let Some(inner) = text.strip_suffix('）') {
        format!("{inner}；{}）", parts.join("；"))
    } else {
        format!("{text}（{}）", parts.join("；"))
    }
}

/// The help or version clap made (`e` of kind `DisplayHelp`, `DisplayVersion`
/// or `DisplayHelpOnMissingArgumentOrSubcommand`) as printed in Chinese:
/// the headings with a full-width colon, the usage line's placeholders in
/// Chinese.
pub fn help_text(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        match body {
            "命令:" | "参数:" | "选项:" => {
                out.push_str(body.trim_end_matches(':'));
                out.push('：');
            }
            _ if body.starts_with("用法：") => out.push_str(&usage_line(body)),
            _ => out.push_str(body),
        }
        out.push_str(end);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A usage line with clap's `[OPTIONS]` and `<COMMAND>` in Chinese.
fn usage_line(usage: &str) -> String {
    usage
        .replace("[OPTIONS]", "[选项]")
        .replace("<COMMAND>", "<命令>")
}

/// The Chinese placeholder of an option's value (`<文件夹>` for
/// `<FOLDER>`), where the English one is a word that has one.
fn value_name(arg: &clap::Arg) -> Option<&'static str> {
    let takes = arg.is_positional() || arg.get_num_args().is_some_and(|n| n.takes_values());
    if !takes || !arg.get_action().takes_values() {
        return None;
    }
    let english = match arg.get_value_names() {
        Some([one]) => one.as_str().to_string(),
        Some(_) => return None,
        None => arg.get_id().as_str().to_ascii_uppercase(),
    };
    Some(match english.as_str() {
        "INPUTS" => "输入",
        "FILE" => "文件",
        "DIR" | "FOLDER" | "TEMPLATES" | "OUT" | "FONT_PATHS" => "文件夹",
        "PROFILE" => "配置文件",
        "DIAGNOSTIC_FORMAT" | "FORMAT" => "格式",
        "JOBS" => "个数",
        "LANG" => "语言",
        "GENRE" => "种类",
        "PORT" => "端口",
        "HOST" => "地址",
        "NAME" => "主机名",
        "BUILD_TIMEOUT" => "秒数",
        "DRAFT.yaml" => "草稿.yaml",
        _ => return None,
    })
}

/// The reason a value parser gave, in Chinese where it is one of the
/// standard library's number errors or clap's range check (our own
/// parsers give their reasons in the run's language already).
fn value_reason(reason: &str) -> String {
    if let Some((n, range)) = reason.split_once(" is not in ")
        && let Some((low, high)) = range.split_once("..=")
    {
        return format!("{n} 不在 {low} 到 {high} 之间");
    }
    match reason {
        "invalid digit found in string" => "应当是一个整数".into(),
        "cannot parse integer from empty string" => "不能为空".into(),
        "number too large to fit in target type" => "数太大".into(),
        "number too small to fit in target type" => "数太小".into(),
        "invalid float literal" => "应当是一个数".into(),
        other => other.to_string(),
    }
}

/// clap's usage error `e` retold in Chinese: what is wrong, a suggestion
/// where clap has one, the usage line and where to read more.
pub fn usage_error(e: &clap::Error) -> String {
    let text = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join("、")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') => format!("没有「{arg}」这个选项"),
        ErrorKind::UnknownArgument => format!("多余的参数「{arg}」"),
        ErrorKind::InvalidSubcommand => format!(
            "没有「{}」这个命令",
            text(ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue if value.is_empty() => format!("「{arg}」需要一个值"),
        ErrorKind::InvalidValue => format!("「{arg}」的值「{value}」无效"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| format!("：{}", value_reason(&s.to_string())))
                .unwrap_or_default();
            format!("「{arg}」的值「{value}」无效{why}")
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::ArgumentConflict => match text(ContextKind::PriorArg) {
            Some(prior) if prior != arg => format!("「{arg}」不能与「{prior}」同时使用"),
            _ => format!("「{arg}」只能给出一次"),
        },
        ErrorKind::TooManyValues => format!("「{arg}」的值太多：「{value}」"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("「{arg}」的值个数不对")
        }
        ErrorKind::NoEquals => format!("「{arg}」的值要用等号给出，如 {arg}=值"),
        ErrorKind::InvalidUtf8 => "命令行里有不是 UTF-8 的文字".to_string(),
        _ => format!("命令行有误：{}", e.render().to_string().trim_end()),
    };
    let mut out = format!("错误：{what}\n");
    if let Some(s) = text(ContextKind::SuggestedArg) {
        out.push_str(&format!("\n  提示：有相近的选项「{s}」\n"));
    }
    if let Some(s) = text(ContextKind::SuggestedSubcommand) {
        out.push_str(&format!("\n  提示：有相近的命令「{s}」\n"));
    }
    if let Some(s) = text(ContextKind::ValidValue).filter(|s| !s.is_empty()) {
        out.push_str(&format!("\n  可选的值：{s}\n"));
    }
    if let Some(usage) = text(ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        out.push_str(&format!("\n用法：{}\n", usage_line(usage)));
    }
    out.push_str("\n运行时加 --help 可查看说明。\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every (command, option) of the command line, `id` empty for the
    /// command itself.
    fn walk(cmd: &clap::Command, name: &str, out: &mut Vec<(String, String)>) {
        out.push((name.to_string(), String::new()));
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" {
                out.push((name.to_string(), id.to_string()));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, sub.get_name(), out);
        }
    }

    #[test]
    fn every_command_and_option_has_chinese_help_and_none_is_stale() {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let mut all = Vec::new();
        walk(&cmd, "", &mut all);
        let missing: Vec<_> = all.iter().filter(|(c, i)| help(c, i).is_none()).collect();
        assert!(missing.is_empty(), "no Chinese help for {missing:?}");
        let stale: Vec<_> = entries()
            .filter(|(c, i)| {
                !all.iter()
                    .any(|(ac, ai)| ai == i && (ac == c || (*c == "*" && help(ac, ai).is_some())))
            })
            .collect();
        assert!(
            stale.is_empty(),
            "Chinese help for options that are gone: {stale:?}"
        );
    }

    #[test]
    fn help_headings_are_full_width_and_defaults_join_the_parentheses() {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let cmd = localize(cmd);
        let e = cmd
            .clone()
            .try_get_matches_from(["zongjie", "preview", "--help"])
            .expect_err("help");
        let text = help_text(&e);
        assert!(
            text.contains("\n选项：\n") && text.contains("\n参数：\n"),
            "{text}"
        );
        assert!(!text.contains("选项:"), "{text}");
        assert!(
            text.contains("用法：zongjie preview [选项] <文件>"),
            "{text}"
        );
        assert!(
            text.contains("端口（0 表示自动选一个空闲端口；默认：8023）"),
            "{text}"
        );
        assert!(!text.contains("）（"), "{text}");
    }

    #[test]
    fn the_localized_help_has_no_english_summaries() {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let mut cmd = localize(cmd);
        let help = cmd.render_long_help().to_string();
        assert!(help.contains("用法：zongjie"), "{help}");
        assert!(help.contains("显示帮助"), "{help}");
        for sub in ["build", "check", "preview", "import", "new", "metrics"] {
            let text = cmd
                .find_subcommand_mut(sub)
                .expect("subcommand")
                .render_long_help()
                .to_string();
            for english in [
                "Print help",
                "[default:",
                "[possible values",
                "Possible values",
                "Language of",
            ] {
                assert!(!text.contains(english), "{sub}: {english} in\n{text}");
            }
        }
    }
}
