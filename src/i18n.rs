//! The language of every message: English or Chinese, chosen once per
//! process from `--lang` or the locale, and the [`tr!`](crate::tr) macro
//! that picks one of a message's two texts.
//!
//! Both texts of a message stand side by side where it is made, so no
//! message can lack its Chinese and the compiler checks that both use the
//! same arguments. The language is one setting for the whole process, so
//! unit tests never change it (they run in parallel); the command-line
//! tests run the binary in both languages.

use std::ffi::OsString;
use std::sync::atomic::{AtomicU8, Ordering};

/// A language messages can be printed in: English or Chinese (简体中文).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    // No doc comments here: clap would list them under "Possible values"
    // and set every option's help in its long layout.
    En,
    Zh,
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// The language messages are made in now (English until [`set`] is called).
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Zh,
        _ => Lang::En,
    }
}

/// Whether messages are made in Chinese.
pub fn zh() -> bool {
    current() == Lang::Zh
}

/// Sets the language of every message made from now on, in every thread.
pub fn set(lang: Lang) {
    CURRENT.store(matches!(lang, Lang::Zh) as u8, Ordering::Relaxed);
}

/// The language a locale name such as `zh_CN.UTF-8`, `zh-Hans` or
/// `en_US.UTF-8` asks for (`None` for an empty value).
pub fn of_locale(name: &str) -> Option<Lang> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    Some(if lower.starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    })
}

/// The language the environment asks for: the first set of `LC_ALL`,
/// `LC_MESSAGES` and `LANG`, as POSIX orders them; without any of them,
/// on Windows, the user's display language. `var` reads one variable.
pub fn of_environment(var: impl Fn(&str) -> Option<String>) -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| var(name).as_deref().and_then(of_locale))
        .or_else(system_language)
        .unwrap_or(Lang::En)
}

#[cfg(windows)]
fn system_language() -> Option<Lang> {
    sys_locale::get_locale().as_deref().and_then(of_locale)
}

#[cfg(not(windows))]
fn system_language() -> Option<Lang> {
    None
}

/// The language of this run: `--lang` anywhere on the command line (`--lang
/// zh`, `--lang=zh`), else the environment's. Read before the command line
/// is parsed, so that the help and the parser's errors are in it too.
pub fn of_command_line(args: &[OsString], var: impl Fn(&str) -> Option<String>) -> Lang {
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--lang") {
            Some("") => words.next().map(|w| w.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        // Only the two values `--lang` takes: any other is clap's to refuse,
        // in the environment's language.
        match value.as_deref().map(str::trim) {
            Some("zh") => return Lang::Zh,
            Some("en") => return Lang::En,
            _ => {}
        }
    }
    of_environment(var)
}

/// One of two texts by the current language: `tr!("english {x}", "中文{x}")`
/// formats the one that applies (both see the same arguments).
#[macro_export]
macro_rules! tr {
    ($en:literal, $zh:literal $(,)?) => {
        if $crate::i18n::zh() { format!($zh) } else { format!($en) }
    };
    ($en:literal, $zh:literal, $($args:tt)+) => {
        if $crate::i18n::zh() { format!($zh, $($args)+) } else { format!($en, $($args)+) }
    };
}

/// One of two fixed texts by the current language.
pub fn pick(en: &'static str, zh: &'static str) -> &'static str {
    if self::zh() { zh } else { en }
}

/// An I/O error as a reader of the current language understands it: the
/// kind in words (the operating system's own text in English).
pub fn io_error(e: &std::io::Error) -> String {
    io_error_in(current(), e)
}

/// [`io_error`] in a given language.
pub fn io_error_in(lang: Lang, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    if lang == Lang::En {
        return e.to_string();
    }
    let words = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有权限",
        K::AlreadyExists => "已经存在",
        K::IsADirectory => "这是文件夹，不是文件",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::DirectoryNotEmpty => "文件夹不是空的",
        K::ReadOnlyFilesystem => "文件系统只读",
        K::StorageFull => "磁盘已满",
        K::InvalidData => "内容无效（不是 UTF-8 文本？）",
        K::InvalidInput => "参数无效",
        K::UnexpectedEof => "文件意外结束",
        K::TimedOut => "超时",
        K::Interrupted => "被中断",
        K::WouldBlock => "暂时无法完成",
        K::AddrInUse => "端口已被占用",
        K::AddrNotAvailable => "地址不可用",
        K::ConnectionRefused => "连接被拒绝",
        K::ConnectionReset => "连接被重置",
        K::BrokenPipe => "管道已断开",
        K::FileTooLarge => "文件太大",
        K::CrossesDevices => "不能跨磁盘移动",
        K::ResourceBusy => "资源正被占用",
        K::OutOfMemory => "内存不足",
        _ => return format!("操作系统的说明：{e}"),
    };
    match e.raw_os_error() {
        Some(code) => format!("{words}（系统错误 {code}）"),
        None => words.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn locale_names_choose_the_language() {
        assert_eq!(of_locale("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(of_locale("zh_TW"), Some(Lang::Zh));
        assert_eq!(of_locale("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(of_locale("ZH"), Some(Lang::Zh));
        assert_eq!(of_locale("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(of_locale("C"), Some(Lang::En));
        assert_eq!(of_locale("POSIX"), Some(Lang::En));
        assert_eq!(of_locale(""), None);
    }

    #[test]
    fn the_environment_is_read_in_posix_order() {
        assert_eq!(of_environment(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(
            of_environment(env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")])),
            Lang::En
        );
        assert_eq!(
            of_environment(env(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "zh_CN")])),
            Lang::Zh
        );
        // An empty variable does not count: the next one decides.
        assert_eq!(
            of_environment(env(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")])),
            Lang::Zh
        );
        #[cfg(not(windows))]
        assert_eq!(of_environment(env(&[])), Lang::En);
    }

    #[test]
    fn the_command_line_overrides_the_environment() {
        let args = |words: &[&str]| -> Vec<OsString> {
            std::iter::once("zongjie")
                .chain(words.iter().copied())
                .map(OsString::from)
                .collect()
        };
        let chinese = env(&[("LANG", "zh_CN.UTF-8")]);
        assert_eq!(
            of_command_line(&args(&["check", "--lang", "en"]), &chinese),
            Lang::En
        );
        assert_eq!(
            of_command_line(&args(&["--lang=zh", "check"]), env(&[])),
            Lang::Zh
        );
        assert_eq!(of_command_line(&args(&["check"]), &chinese), Lang::Zh);
        // A value `--lang` does not take leaves the environment's choice.
        assert_eq!(
            of_command_line(&args(&["--lang", "fr", "check"]), &chinese),
            Lang::Zh
        );
        // After `--` a word is a file name, not an option.
        assert_eq!(
            of_command_line(&args(&["check", "--", "--lang=zh"]), env(&[])),
            Lang::En
        );
    }

    #[test]
    fn io_errors_have_chinese_words() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_error_in(Lang::Zh, &e), "文件或文件夹不存在");
        let e = std::io::Error::from_raw_os_error(13);
        assert!(io_error_in(Lang::Zh, &e).starts_with("没有权限（系统错误 13）"));
        assert!(io_error_in(Lang::En, &e).contains("ermission denied"));
    }
}
