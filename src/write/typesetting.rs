//! The writers' settings for one document: the layout profile in force
//! (explicit, or found next to the data file) and, when a format needs
//! them, the resolved fonts; profile and font errors located in the profile.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::tr;

/// The layout profile and fonts a document is typeset with.
pub struct Typesetting {
    /// The profile file in force (`None`: the built-in defaults).
    pub profile_path: Option<PathBuf>,
    pub profile: crate::profile::Profile,
    /// Resolved only when a PDF is wanted.
    pub fonts: Option<crate::fonts::FontSet>,
}

/// Which face stands in for which role, as notes about `source`.
pub fn font_notes(typesetting: &Typesetting, source: &Path) -> Vec<Diagnostic> {
    let notes = typesetting.fonts.iter().flat_map(|f| f.notes.iter());
    notes
        .map(|n| {
            Diagnostic::about_file(
                crate::diag::Severity::Note,
                source,
                tr!("PDF fonts: {n}", "PDF 字体：{n}"),
            )
        })
        .collect()
}

/// File names a profile is found under, next to the data file, in order.
pub const PROFILE_NAMES: &[&str] = &["zongjie.toml", "profile.yaml", "zongjie.yaml"];

/// Whether a file found in a data folder is a layout profile, not data.
pub fn is_profile_file(path: &Path) -> bool {
    // In any case: on Windows and macOS `Profile.yaml` is found as the profile.
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| PROFILE_NAMES.iter().any(|p| n.eq_ignore_ascii_case(p)))
}

/// The profile for a data file: the explicit one, else the first of
/// `PROFILE_NAMES` in the data file's folder, else none.
pub fn profile_path_for(input: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let dir = input.parent().unwrap_or(Path::new(""));
    PROFILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        // Anything under the name (a FIFO, a folder) is taken, and refused
        // with its reason when read, rather than silently passed over.
        .find(|p| p.exists())
}

/// The refusal of the profile found next to `input` (none when `explicit`
/// names one: the user's choice) whose real path leads out of the data
/// file's folder: `data/profile.yaml -> /proc/self/environ` is not read.
pub fn found_profile_refusal(input: &Path, explicit: Option<&Path>) -> Option<Diagnostic> {
    if explicit.is_some() {
        return None;
    }
    let found = profile_path_for(input, None)?;
    let dir = input.parent().filter(|p| !p.as_os_str().is_empty());
    crate::files::leads_outside(&found, dir.unwrap_or(Path::new(".")), "profile").map(|d| {
        d.with_hint(tr!(
            "replace the link with the profile itself, or give it with --profile to use it as it is",
            "请把这个链接换成版式配置文件本身；如果确实要用它，请用 `--profile` 指定"
        ))
    })
}

/// Loads a profile (defaults when `path` is `None`) and, when `with_fonts`,
/// resolves its fonts.
pub fn typesetting(
    path: Option<&Path>,
    fonts: &crate::fonts::FontOptions,
    with_fonts: bool,
) -> Result<Typesetting, Diagnostic> {
    let mut text = None;
    let profile = match path {
        Some(p) => {
            let t = crate::files::read_text(p, crate::files::Kind::Profile).map_err(|mut d| {
                if !quotable_profile(p) {
                    d.snippet = None;
                }
                d
            })?;
            let profile =
                crate::profile::parse_profile(&t, p).map_err(|e| profile_diagnostic(p, &t, &e))?;
            text = Some(t);
            profile
        }
        None => crate::profile::Profile::default(),
    };
    let fonts = if with_fonts {
        let set = crate::fonts::resolve_fonts(&profile, fonts).map_err(|e| {
            let hint = tr!(
                "see `zongjie fonts`; --font-path adds folders, the bundled fonts are the last resort",
                "运行 `zongjie fonts` 查看字体情况；`--font-path` 可添加字体文件夹，都找不到时使用内置字体"
            );
            let message = tr!("fonts: {e}", "字体：{e}");
            // A profile's font file that is at fault: point at its `file:`.
            let at = match (&e, path, &text) {
                (crate::fonts::FontError::ProfileFile { role, .. }, Some(p), Some(t)) => {
                    crate::profile::locate_font_file(t, p, role).map(|pos| (p, t, pos))
                }
                _ => None,
            };
            match at {
                Some((p, t, (line, col))) => Diagnostic::error(
                    p,
                    t,
                    crate::diag::Pos {
                        line: line as usize,
                        col: col as usize,
                    },
                    message,
                ),
                None => Diagnostic::file_error(path.unwrap_or(Path::new("fonts")), message),
            }
            .with_hint(hint)
        })?;
        Some(set)
    } else {
        None
    };
    Ok(Typesetting {
        profile_path: path.map(Path::to_path_buf),
        profile,
        fonts,
    })
}

/// Whether a profile's text may be quoted in a diagnostic: its name and
/// real path are .yaml, .yml or .toml. A file that is no profile by name
/// (`--profile /proc/self/environ`) is never quoted: its text may be
/// anything, secrets included.
fn quotable_profile(path: &Path) -> bool {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    [path, real.as_path()].iter().all(|p| {
        p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            ["yaml", "yml", "toml"]
                .iter()
                .any(|e| x.eq_ignore_ascii_case(e))
        })
    })
}

fn profile_diagnostic(path: &Path, text: &str, e: &crate::profile::ProfileError) -> Diagnostic {
    if !quotable_profile(path)
        && let crate::profile::ProfileError::Parse { line, column, .. } = e
    {
        return Diagnostic::file_error(
            path,
            tr!(
                "profile: {} is not a layout profile (it does not parse, at line {line} column {column}); only a .yaml, .yml or .toml file's text is shown",
                "版式配置：{} 不是版式配置文件（第 {line} 行第 {column} 列无法解析）；只有 .yaml、.yml 或 .toml 文件才会显示其内容",
                path.display()
            ),
        )
        .with_hint(tr!(
            "give a profile file: `zongjie profile` prints every key with its default",
            "请指定一个版式配置文件：运行 `zongjie profile` 可列出每一项及其默认值"
        ));
    }
    match e {
        crate::profile::ProfileError::Parse {
            line,
            column,
            message,
            ..
        } => Diagnostic::error(
            path,
            text,
            crate::diag::Pos {
                line: *line as usize,
                col: *column as usize,
            },
            tr!("profile: {message}", "版式配置：{message}"),
        ),
        other => Diagnostic::file_error(path, tr!("profile: {other}", "版式配置：{other}")),
    }
    .with_hint(tr!(
        "`zongjie profile` prints every key with its default",
        "运行 `zongjie profile` 可列出每一项及其默认值"
    ))
}
