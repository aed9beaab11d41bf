//! `zongjie new`: a commented Chinese starter data file per genre (every
//! field explained, realistic sample content, the schema line), written
//! next to the JSON Schema it names. Never overwrites: the file is written
//! to a temp file and linked into place only if the name is free.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::i18n;
use crate::tr;

/// The genres a starter exists for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Genre {
    /// 年度工作总结和工作要点
    Annual,
    /// 半年工作总结和下半年工作计划
    HalfYear,
    /// 攻坚任务清单
    Tasks,
}

impl Genre {
    pub const ALL: [Genre; 3] = [Genre::Annual, Genre::HalfYear, Genre::Tasks];

    /// The genre's name in the data format (`doc.genre`).
    pub fn name(self) -> &'static str {
        match self {
            Genre::Annual => "年度总结和要点",
            Genre::HalfYear => "半年总结和计划",
            Genre::Tasks => "攻坚任务清单",
        }
    }

    /// The starter file's text.
    pub fn starter(self) -> &'static str {
        match self {
            Genre::Annual => include_str!("starters/annual.yaml"),
            Genre::HalfYear => include_str!("starters/half-year.yaml"),
            Genre::Tasks => include_str!("starters/tasks.yaml"),
        }
    }
}

/// The schema file the starters' first line names, next to the data file.
pub const SCHEMA_FILE: &str = "zongjie.schema.json";

/// What `write` wrote.
#[derive(Debug)]
pub struct Written {
    pub file: PathBuf,
    /// The schema file, when it was not there yet.
    pub schema: Option<PathBuf>,
}

/// Writes the starter of `genre` to `path` (which must not exist, and must
/// be named `*.yaml`/`*.yml`), and the schema next to it unless present.
pub fn write(path: &Path, genre: Genre) -> Result<Written, Diagnostic> {
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    if !yaml {
        return Err(Diagnostic::file_error(
            path,
            i18n::pick(
                "a data file's name ends in .yaml",
                "数据文件的名字要以 .yaml 结尾",
            ),
        )
        .with_hint(i18n::pick(
            "name it like 2024年工作总结.yaml, so `zongjie build` finds it in a folder",
            "请起名如 2024年工作总结.yaml，这样 `zongjie build` 才能在文件夹中找到它",
        )));
    }
    if path.symlink_metadata().is_ok() {
        return Err(exists(path));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Diagnostic::file_error(
            path,
            i18n::pick("its folder does not exist", "它所在的文件夹不存在"),
        )
        .with_hint(i18n::pick(
            "create the folder first, or name a file in an existing folder",
            "请先创建这个文件夹，或在已有的文件夹中起名",
        )));
    }
    let cannot = |e: std::io::Error| {
        let e = i18n::io_error(&e);
        Diagnostic::file_error(
            path,
            tr!(
                "cannot write the starter file: {e}",
                "无法写入新的数据文件：{e}"
            ),
        )
    };
    create_new(path, &dir, genre.starter()).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => exists(path),
        _ => cannot(e),
    })?;
    let schema_path = path.with_file_name(SCHEMA_FILE);
    let schema = match create_new(&schema_path, &dir, crate::SCHEMA) {
        Ok(()) => Some(schema_path),
        // Present already (kept as it is), or not writable: the data file
        // is what was asked for.
        Err(_) => None,
    };
    Ok(Written {
        file: path.to_path_buf(),
        schema,
    })
}

/// The refusal to write over a file that exists.
fn exists(path: &Path) -> Diagnostic {
    Diagnostic::file_error(
        path,
        i18n::pick(
            "the file exists already; `zongjie new` never overwrites",
            "这个文件已经存在；`zongjie new` 不会覆盖已有的文件",
        ),
    )
    .with_hint(i18n::pick(
        "name a new file, or delete this one first if you mean to start over",
        "请换一个新文件名；如果确实要重新开始，请先删除这个文件",
    ))
}

/// Writes `text` to a temp file in `dir`, then links it to `path` only if
/// that name is free: never a half-written file, never an overwrite.
fn create_new(path: &Path, dir: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".zongjie-new-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_names_its_genre_and_the_schema() {
        for g in Genre::ALL {
            let s = g.starter();
            assert!(
                s.starts_with("# yaml-language-server: $schema=zongjie.schema.json\n"),
                "{g:?}"
            );
            assert!(s.contains("zongjie check --strict"), "{g:?}");
            if g != Genre::Annual {
                assert!(s.contains(&format!("genre: {}", g.name())), "{g:?}");
            }
        }
    }

    #[test]
    fn refuses_other_names_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("r.txt");
        assert!(
            write(&txt, Genre::Annual)
                .unwrap_err()
                .message
                .contains(".yaml")
        );
        let r = dir.path().join("r.yaml");
        let w = write(&r, Genre::Tasks).unwrap();
        assert_eq!(w.schema, Some(dir.path().join(SCHEMA_FILE)));
        std::fs::write(&r, "mine").unwrap();
        let e = write(&r, Genre::Annual).unwrap_err();
        assert!(e.message.contains("never overwrites"), "{e:?}");
        assert_eq!(std::fs::read_to_string(&r).unwrap(), "mine");
        // A second starter keeps the schema file that is there.
        let w = write(&dir.path().join("b.yml"), Genre::HalfYear).unwrap();
        assert!(w.schema.is_none());
        let missing = dir.path().join("no/such/r.yaml");
        assert!(
            write(&missing, Genre::Annual)
                .unwrap_err()
                .message
                .contains("folder")
        );
        // No temp files left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".zongjie-new-")),
            "{names:?}"
        );
    }
}
