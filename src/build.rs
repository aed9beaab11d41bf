//! Building: finds the documents among the inputs, runs each through the
//! pipeline (load → resolve → templates → Markdown → writers) in memory,
//! and writes outputs atomically (temp file, then rename), so a failed or
//! interrupted build never leaves a half-written file or deletes a good one.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::load;
use crate::render::Templates;
use crate::resolve::{self, Report};

/// What one document compiles to, before anything is written.
pub struct Compiled {
    pub report: Report,
    pub markdown: String,
    /// Warnings (errors make `compile` fail instead).
    pub warnings: Vec<Diagnostic>,
    /// Every file the result depends on: the data file and its imports.
    pub inputs: Vec<PathBuf>,
}

/// Loads, checks and resolves one data file: the diagnostics, and the
/// report when there was no error.
pub fn check(path: &Path) -> (Option<(Report, Vec<PathBuf>)>, Vec<Diagnostic>) {
    checked(load::load(path))
}

fn checked(loaded: Result<load::Loaded, Vec<Diagnostic>>) -> (Option<(Report, Vec<PathBuf>)>, Vec<Diagnostic>) {
    let loaded = match loaded {
        Ok(l) => l,
        Err(diags) => return (None, diags),
    };
    let (report, diags) = resolve::resolve(&loaded);
    let mut inputs = Vec::new();
    collect_inputs(&loaded, &mut inputs);
    (report.map(|r| (r, inputs)), diags)
}

fn collect_inputs(loaded: &load::Loaded, out: &mut Vec<PathBuf>) {
    out.push(loaded.source.path.clone());
    for import in loaded.imports.values() {
        collect_inputs(import, out);
    }
}

/// The whole text pipeline for one data file, in memory.
pub fn compile(path: &Path, templates: &Templates) -> Result<Compiled, Vec<Diagnostic>> {
    finish(check(path), templates)
}

/// The same pipeline for a data file given as bytes: `path` names it in
/// diagnostics and anchors its imports, but the file itself is not read.
/// Used by the fuzz targets and by tests that need no files.
pub fn compile_source(path: &Path, bytes: &[u8], templates: &Templates) -> Result<Compiled, Vec<Diagnostic>> {
    finish(checked(load::load_bytes(path, bytes)), templates)
}

fn finish(checked: (Option<(Report, Vec<PathBuf>)>, Vec<Diagnostic>), templates: &Templates) -> Result<Compiled, Vec<Diagnostic>> {
    let (resolved, diags) = checked;
    let Some((report, inputs)) = resolved else { return Err(diags) };
    let markdown = templates.render_markdown(&report).map_err(|d| {
        let mut all = diags.clone();
        all.push(d);
        all
    })?;
    Ok(Compiled { report, markdown, warnings: diags, inputs })
}

/// The HTML page of a compiled document (the doc tree in the page template).
pub fn html(compiled: &Compiled, templates: &Templates, options: &crate::html::HtmlOptions) -> Result<String, Diagnostic> {
    let doc = crate::doc::parse(&compiled.markdown);
    crate::html::render(&doc, options, templates.page_template())
        .map_err(|e| Diagnostic::file_error(Path::new(crate::render::PAGE_TEMPLATE), format!("page template: {e}")))
}

/// The data files named by the inputs: files as given, folders searched
/// for `*.yaml` / `*.yml` (sorted, hidden entries skipped).
pub fn find_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut out).map_err(|e| Diagnostic::file_error(input, format!("cannot read folder: {e}")))?;
        } else if input.exists() {
            out.push(input.clone());
        } else {
            return Err(Diagnostic::file_error(input, "no such file or folder")
                .with_hint("give a data file (.yaml) or a folder of them; the default is data/"));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temp file in the same folder,
/// flushed, then renamed over the target. Creates the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes the temp files `write_atomic` left in `dir` when a build was
/// killed between writing and renaming (`.NAME.PID.tmp`, the process gone).
/// They are hidden and never taken for outputs; this keeps them from piling
/// up. Errors are ignored: a temp file left is harmless.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(pid) = temp_owner(&name) else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temp file name `.NAME.PID.tmp`.
fn temp_owner(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (stem, pid) = inner.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` is running (where that cannot be told, it is
/// assumed running, so nothing is removed).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") { Path::new("/proc").join(pid.to_string()).exists() } else { true }
}

/// The output path for a data file: `out_dir/<stem>.<ext>`.
pub fn output_path(out_dir: &Path, input: &Path, ext: &str) -> PathBuf {
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    out_dir.join(format!("{stem}.{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        assert_eq!(temp_owner(".a.md.1234.tmp"), Some(1234));
        assert_eq!(temp_owner(".lishui-2022.html.7.tmp"), Some(7));
        assert_eq!(temp_owner("a.md.1234.tmp"), None);
        assert_eq!(temp_owner(".a.md.tmp"), None);
        assert_eq!(temp_owner("..1.tmp"), None);
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("zongjie-build-test-{}", std::process::id()));
        let path = dir.join("a.md");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
