//! Building: finds the documents among the inputs, runs each through the
//! pipeline (load → resolve → templates → Markdown → writers) in memory, in
//! parallel, and writes each document's outputs all or nothing (temp files,
//! renamed only when every format is written). A document is skipped only
//! when everything its outputs are made from (the data and imports as
//! parsed, the templates it can load, profile, fonts, `SOURCE_DATE_EPOCH`,
//! version) is unchanged and every output still holds what was written: a
//! manifest in the output folder records both, and which source wrote each
//! output. Builds into one folder take turns through a lock file there.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    /// Their texts as read, in the same order: writers' findings (a
    /// character no font has) are located in them.
    pub sources: Vec<load::Source>,
}

/// An output format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Md,
    Html,
    Pdf,
    Docx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
}

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
                format!("PDF fonts: {n}"),
            )
        })
        .collect()
}

/// File names a profile is found under, next to the data file, in order.
pub const PROFILE_NAMES: &[&str] = &["zongjie.toml", "profile.yaml", "zongjie.yaml"];

/// Whether a file found in a data folder is a layout profile, not data.
fn is_profile_file(path: &Path) -> bool {
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
        d.with_hint("replace the link with the profile itself, or give it with --profile to use it as it is")
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
            let hint = "see `zongjie fonts`; --font-path adds folders, the bundled fonts are the last resort";
            let message = format!("fonts: {e}");
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
            format!(
                "profile: {} is not a layout profile (it does not parse, at line {line} column {column}); only a .yaml, .yml or .toml file's text is shown",
                path.display()
            ),
        )
        .with_hint("give a profile file: `zongjie profile` prints every key with its default");
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
            format!("profile: {message}"),
        ),
        other => Diagnostic::file_error(path, format!("profile: {other}")),
    }
    .with_hint("`zongjie profile` prints every key with its default")
}

/// Loads, checks and resolves one data file: the diagnostics, and the
/// report when there was no error.
pub fn check(path: &Path) -> (Option<(Report, Vec<PathBuf>)>, Vec<Diagnostic>) {
    let (resolved, diags) = checked(load::load(path));
    let paths = |sources: Vec<load::Source>| sources.into_iter().map(|s| s.path).collect();
    (resolved.map(|(r, sources)| (r, paths(sources))), diags)
}

fn checked(
    loaded: Result<load::Loaded, Vec<Diagnostic>>,
) -> (Option<(Report, Vec<load::Source>)>, Vec<Diagnostic>) {
    let loaded = match loaded {
        Ok(l) => l,
        Err(diags) => return (None, diags),
    };
    let (report, diags) = resolve::resolve(&loaded);
    let mut sources = Vec::new();
    collect_inputs(&loaded, &mut sources);
    (report.map(|r| (r, sources)), diags)
}

fn collect_inputs(loaded: &load::Loaded, out: &mut Vec<load::Source>) {
    if !out.iter().any(|s| s.path == loaded.source.path) {
        out.push(loaded.source.clone());
    }
    for import in loaded.imports.values() {
        collect_inputs(import, out);
    }
}

/// The whole text pipeline for one data file, in memory (imports from
/// the data file's own folder tree).
pub fn compile(path: &Path, templates: &Templates) -> Result<Compiled, Vec<Diagnostic>> {
    compile_in(path, templates, &load::ImportScope::default())
}

/// `compile` with imports allowed from within `scope`.
pub fn compile_in(
    path: &Path,
    templates: &Templates,
    scope: &load::ImportScope,
) -> Result<Compiled, Vec<Diagnostic>> {
    finish(checked(load::load_in(path, scope)), templates)
}

/// The same pipeline for a data file given as bytes: `path` names it in
/// diagnostics and anchors its imports, but the file itself is not read.
/// Used by the fuzz targets and by tests that need no files.
pub fn compile_source(
    path: &Path,
    bytes: &[u8],
    templates: &Templates,
) -> Result<Compiled, Vec<Diagnostic>> {
    finish(checked(load::load_bytes(path, bytes)), templates)
}

fn finish(
    checked: (Option<(Report, Vec<load::Source>)>, Vec<Diagnostic>),
    templates: &Templates,
) -> Result<Compiled, Vec<Diagnostic>> {
    let (resolved, diags) = checked;
    let Some((report, sources)) = resolved else {
        return Err(diags);
    };
    let inputs = sources.iter().map(|s| s.path.clone()).collect();
    let markdown = templates.render_markdown(&report).map_err(|d| {
        let mut all = diags.clone();
        all.push(d);
        all
    })?;
    Ok(Compiled {
        report,
        markdown,
        warnings: diags,
        inputs,
        sources,
    })
}

/// The HTML page of a compiled document (the doc tree in the page template),
/// with the faces of `fonts` embedded when given, and the writer's warnings.
pub fn html(
    compiled: &Compiled,
    templates: &Templates,
    options: &crate::html::HtmlOptions,
    fonts: Option<&crate::fonts::FontSet>,
) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
    let doc = crate::doc::parse(&compiled.markdown);
    let page = crate::html::render_with_fonts(&doc, options, fonts, templates.page_template())
        .map_err(|e| templates.page_diagnostic(&e))?;
    let input = compiled
        .inputs
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("report"));
    let warnings = page
        .warnings
        .iter()
        .map(|w| Diagnostic::about_file(crate::diag::Severity::Warning, input, w.clone()))
        .collect();
    Ok((page.html, warnings))
}

/// The PDF writer's coverage check without writing a PDF: its glyph lookup
/// over the document's text with `typesetting`'s fonts, and its located
/// warning for each character no face can print (empty when fonts were not
/// resolved). Linear in the text, no layout.
pub fn glyph_coverage(compiled: &Compiled, typesetting: &Typesetting) -> Vec<Diagnostic> {
    let Some(fonts) = &typesetting.fonts else {
        return Vec::new();
    };
    let input = compiled
        .inputs
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("report"));
    let missing = crate::pdf::layout::missing_chars(&compiled.markdown, fonts);
    crate::pdf::missing_glyph_diagnostics(&missing, &compiled.sources, input)
}

/// The PDF of a compiled document, with the writer's warnings as diagnostics.
pub fn pdf(
    compiled: &Compiled,
    typesetting: &Typesetting,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostic> {
    let input = compiled
        .inputs
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("report"));
    let doc = crate::doc::parse(&compiled.markdown);
    let Some(fonts) = &typesetting.fonts else {
        return Err(Diagnostic::file_error(
            input,
            "internal: fonts were not resolved for a PDF",
        ));
    };
    let epoch = source_date_epoch(std::env::var_os(SOURCE_DATE_EPOCH).as_deref())?
        .map(|secs| secs.to_string());
    let options = crate::pdf::PdfOptions {
        created: crate::pdf::creation_date(
            epoch.as_deref(),
            compiled.report.doc.written.as_deref(),
        ),
    };
    let out = crate::pdf::render(&doc, &typesetting.profile, fonts, &options)
        .map_err(|e| Diagnostic::file_error(input, format!("PDF: {e}")))?;
    // Which face stands in for which role is said once per run (`font_notes`).
    let mut warnings: Vec<Diagnostic> = out
        .warnings
        .iter()
        .filter(|w| !fonts.notes.contains(w))
        .map(|w| Diagnostic::about_file(crate::diag::Severity::Warning, input, format!("PDF: {w}")))
        .collect();
    warnings.extend(out.notes.iter().map(|n| {
        Diagnostic::about_file(
            crate::diag::Severity::Note,
            input,
            format!("PDF fonts: {n}"),
        )
    }));
    warnings.extend(crate::pdf::missing_glyph_diagnostics(
        &out.missing,
        &compiled.sources,
        input,
    ));
    Ok((out.bytes, warnings))
}

/// One output of a compiled document, as bytes, and the writer's warnings.
pub fn render_format(
    compiled: &Compiled,
    templates: &Templates,
    typesetting: &Typesetting,
    format: Format,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostic> {
    match format {
        Format::Md => Ok((compiled.markdown.clone().into_bytes(), Vec::new())),
        Format::Html => html(
            compiled,
            templates,
            &crate::html::HtmlOptions::from_profile(&typesetting.profile),
            typesetting.fonts.as_ref(),
        )
        .map(|(h, warnings)| (h.into_bytes(), warnings)),
        Format::Pdf => pdf(compiled, typesetting),
        Format::Docx => docx(compiled, typesetting),
    }
}

/// The DOCX of a compiled document, with the writer's warnings.
pub fn docx(
    compiled: &Compiled,
    typesetting: &Typesetting,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostic> {
    let input = compiled
        .inputs
        .first()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("report"));
    let doc = crate::doc::parse(&compiled.markdown);
    let epoch = source_date_epoch(std::env::var_os(SOURCE_DATE_EPOCH).as_deref())?
        .map(|secs| secs.to_string());
    let options = crate::docx::DocxOptions {
        title: doc.meta.title.clone(),
        author: doc.meta.issuer.clone(),
        created: crate::pdf::creation_date(
            epoch.as_deref(),
            compiled.report.doc.written.as_deref(),
        ),
    };
    let out = crate::docx::render(&doc, &typesetting.profile, &options)
        .map_err(|e| Diagnostic::file_error(input, format!("DOCX: {e}")))?;
    let warnings = out
        .warnings
        .into_iter()
        .map(|w| Diagnostic::about_file(crate::diag::Severity::Warning, input, w))
        .collect();
    Ok((out.bytes, warnings))
}

/// Most directory entries a folder walk looks at, over all input folders.
pub const MAX_WALK_ENTRIES: usize = 100_000;

/// The data files named by the inputs: files as given, folders searched
/// for `*.yaml` / `*.yml` in any case (sorted; hidden entries and profile
/// files skipped). Each real folder is walked once, so symlinks to a
/// parent or in a circle add nothing, and a file reached along two paths
/// is kept once; a symlink leading out of the input folders is an error,
/// as is a folder without data files.
pub fn find_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    let mut walk = Walk {
        project: load::ImportScope::of_inputs(inputs, &[]),
        seen: BTreeSet::new(),
        entries: 0,
        limit: MAX_WALK_ENTRIES,
    };
    for input in inputs {
        if input.is_dir() {
            let before = out.len();
            walk.folder(input, &mut out)?;
            if out.len() == before {
                return Err(Diagnostic::file_error(
                    input,
                    format!("no data files in {}", input.display()),
                )
                .with_hint(
                    "put the report's data files (*.yaml) there, or run `zongjie init` for templates and see docs/data-format.md",
                ));
            }
        } else if std::fs::symlink_metadata(input).is_ok() {
            out.push(input.clone());
        } else {
            return Err(Diagnostic::file_error(input, "no such file or folder")
                .with_hint("give a data file (.yaml) or a folder of them; the default is data/"));
        }
    }
    out.sort();
    out.dedup();
    // The same name in the same real folder, reached along two paths (a
    // folder symlink, `./x` and `x`), is one document; a link to a data
    // file under another name is a document of its own (its own outputs).
    let mut seen = BTreeSet::new();
    out.retain(|p| {
        let folder = p.parent().filter(|d| !d.as_os_str().is_empty());
        let real = std::fs::canonicalize(folder.unwrap_or(Path::new(".")));
        seen.insert((
            real.unwrap_or_else(|_| p.clone()),
            p.file_name().map(|n| n.to_owned()),
        ))
    });
    Ok(out)
}

/// A walk of the input folders: the real folders seen and the entries
/// looked at.
struct Walk {
    /// The input folders (real paths): symlinks may not lead out of them.
    project: load::ImportScope,
    seen: BTreeSet<PathBuf>,
    entries: usize,
    /// Most entries looked at (`MAX_WALK_ENTRIES`).
    limit: usize,
}

impl Walk {
    /// Adds the data files under `root` to `out`, without recursion.
    fn folder(&mut self, root: &Path, out: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let Ok(real) = std::fs::canonicalize(&dir) else {
                continue;
            };
            if !self.seen.insert(real) {
                continue;
            }
            let read = std::fs::read_dir(&dir).map_err(|e| {
                Diagnostic::file_error(&dir, format!("cannot read folder: {e}"))
                    .with_hint("check the folder's permissions")
            })?;
            let mut entries: Vec<(PathBuf, bool)> = Vec::new();
            for entry in read {
                self.entries += 1;
                if self.entries > self.limit {
                    return Err(Diagnostic::file_error(
                        root,
                        format!(
                            "more than {} files and folders under {}",
                            self.limit,
                            root.display()
                        ),
                    )
                    .with_hint(
                        "give the folder that holds the data files (e.g. data/), not a folder above it",
                    ));
                }
                if let Ok(entry) = entry {
                    let link = entry.file_type().is_ok_and(|t| t.is_symlink());
                    entries.push((entry.path(), link));
                }
            }
            entries.sort();
            let mut subfolders = Vec::new();
            for (path, link) in entries {
                let hidden = path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if hidden {
                    continue;
                }
                let is_dir = path.is_dir();
                let is_data = !is_dir && load::is_data_file_name(&path) && !is_profile_file(&path);
                if link
                    && (is_dir || is_data)
                    && let Ok(target) = std::fs::canonicalize(&path)
                    && !self.project.allows(&target)
                {
                    return Err(Diagnostic::file_error(
                        &path,
                        format!("{} is a symbolic link leading out of the input folders", path.display()),
                    )
                    .with_hint("give what it points to on the command line as well, or copy it into the folder"));
                }
                if is_dir {
                    subfolders.push(path);
                } else if is_data {
                    // A dangling or looping link is kept: reading it says why it fails.
                    out.push(path);
                }
            }
            // Depth first, in name order.
            pending.extend(subfolders.into_iter().rev());
        }
        Ok(())
    }
}

/// Which of the found files are documents to build. A file that another
/// found file imports is a data source, not a document, unless it has a
/// body of its own (parts, a task table, attachments or an intro).
/// Files that cannot be read or do not parse are kept, so their errors
/// are reported.
pub fn documents(files: &[PathBuf]) -> Vec<PathBuf> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut imported = BTreeSet::new();
    let mut has_body = BTreeSet::new();
    for file in files {
        let Ok(bytes) = crate::files::read(file, crate::files::Kind::Data) else {
            continue;
        };
        let Ok(text) = load::decode(file, &bytes) else {
            continue;
        };
        let Ok(data) = load::parse(file, &text) else {
            continue;
        };
        if !data.parts.is_empty()
            || data.tasks.is_some()
            || !data.attachments.is_empty()
            || data.intro.is_some()
        {
            has_body.insert(canonical(file));
        }
        let this = canonical(file);
        for target in data.imports.values() {
            let target = canonical(&file.parent().unwrap_or(Path::new("")).join(&target.value));
            // A file importing itself is an error to report, not a data source.
            if target != this {
                imported.insert(target);
            }
        }
    }
    files
        .iter()
        .filter(|f| {
            let c = canonical(f);
            !imported.contains(&c) || has_body.contains(&c)
        })
        .cloned()
        .collect()
}

// ── Writing ──────────────────────────────────────────────────────────────

/// Temp files are `.zongjie-`, 12 random letters and digits, `.tmp`: short
/// whatever the output is called, unpredictable, and recognisably ours.
const TEMP_PREFIX: &str = ".zongjie-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 12;

/// The longest file name most file systems allow, in bytes.
const MAX_NAME_BYTES: usize = 255;

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `bytes` written in full and flushed to a new temp file next to `target`.
/// The temp file is created exclusively under a random name, so nothing
/// planted under a predictable name (a link) is ever opened. A target that
/// is a regular file lends the temp file its permissions.
fn stage(target: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let dir = folder_of(target);
    std::fs::create_dir_all(dir)?;
    let kept = std::fs::symlink_metadata(target)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As for any new file: read-write for everyone, less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    if let Some(permissions) = kept {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Writes every file or none: each is written in full to a temp file in its
/// target's folder, and only when all are written are they renamed over
/// their targets (a link at a target is replaced, never followed). On a
/// failure the temp files are removed and no target is touched; the error
/// names the file that failed.
pub fn write_all_or_nothing(files: &[(&Path, &[u8])]) -> Result<(), (PathBuf, std::io::Error)> {
    let mut staged = Vec::with_capacity(files.len());
    for (target, bytes) in files {
        let temp = stage(target, bytes).map_err(|e| (target.to_path_buf(), e))?;
        staged.push((temp, *target));
    }
    // A folder in a target's place would fail its rename after the others.
    if let Some((_, target)) = staged
        .iter()
        .find(|(_, t)| std::fs::symlink_metadata(t).is_ok_and(|m| m.is_dir()))
    {
        return Err((
            target.to_path_buf(),
            std::io::Error::other("a folder is in the way"),
        ));
    }
    for (temp, target) in staged {
        temp.persist(target)
            .map_err(|e| (target.to_path_buf(), e.error))?;
    }
    Ok(())
}

/// Writes one file atomically: a temp file in the same folder, flushed, then
/// renamed over the target. Creates the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_all_or_nothing(&[(path, bytes)]).map_err(|(_, e)| e)
}

/// Whether a file name is one of our temp files (`.zongjie-XXXXXXXXXXXX.tmp`).
fn is_our_temp(name: &OsStr) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(TEMP_PREFIX))
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|r| r.len() == TEMP_RANDOM && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes the temp files that builds killed between writing and renaming
/// left in `dir`: only regular files named as ours, and only under the
/// folder's lock, when no other build can be writing them. Errors are
/// ignored: a temp file left is harmless.
fn remove_stale_temps(dir: &Path, _held: &OutputLock) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_our_temp(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Opens a regular file for reading (and, with `create`, writing, made when
/// missing) without following a link and without blocking on a FIFO.
fn open_plain(path: &Path, create: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if create {
        options.write(true).create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = options.open(path).map_err(|e| {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            std::io::Error::other("it is a symbolic link, not a regular file")
        } else {
            e
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// A regular file's bytes when there are at most `cap` of them; else why not.
fn read_plain_checked(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = open_plain(path, false).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > cap {
        return Err(format!("it is larger than {} MiB", cap >> 20));
    }
    Ok(bytes)
}

/// Whether `bytes` are a JSON object whose `version` is not this one.
fn other_version(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Versioned {
        version: String,
    }
    serde_json::from_slice::<Versioned>(bytes).is_ok_and(|v| v.version != env!("CARGO_PKG_VERSION"))
}

/// SHA-256 of a regular file's bytes, read in pieces (`None`: missing, not a
/// regular file, unreadable).
fn digest_plain(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut file = open_plain(path, false).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(hex(&hasher.finalize()))
}

// ── The output folder's lock ─────────────────────────────────────────────

/// The lock file inside the output folder.
pub const LOCK: &str = ".zongjie.lock";

/// A lock on an output folder, held until dropped; the system releases it
/// when the process ends, however it ends.
pub struct OutputLock {
    file: Option<std::fs::File>,
    dir: PathBuf,
    /// This run made the folder.
    made_dir: bool,
}

impl OutputLock {
    /// For a build: creates the folder and locks it exclusively. `on_wait`
    /// is called once, before waiting, when another build holds the lock.
    pub fn exclusive(out_dir: &Path, on_wait: &dyn Fn()) -> Result<OutputLock, Diagnostic> {
        let made_dir = !out_dir.exists();
        let file = Self::take(out_dir, true, on_wait)?;
        Ok(OutputLock {
            file,
            dir: out_dir.to_path_buf(),
            made_dir,
        })
    }

    /// For `--check`: a shared lock, so no build changes the folder while it
    /// is compared. Nothing is created: without a lock file, no lock.
    pub fn shared(out_dir: &Path, on_wait: &dyn Fn()) -> Result<OutputLock, Diagnostic> {
        let file = Self::take(out_dir, false, on_wait)?;
        Ok(OutputLock {
            file,
            dir: out_dir.to_path_buf(),
            made_dir: false,
        })
    }

    fn take(
        out_dir: &Path,
        exclusive: bool,
        on_wait: &dyn Fn(),
    ) -> Result<Option<std::fs::File>, Diagnostic> {
        let path = out_dir.join(LOCK);
        let fail = |e: std::io::Error| {
            Diagnostic::file_error(&path, format!("cannot lock the output folder: {e}")).with_hint(
                "builds into one folder take turns through this lock file; it must be a plain file (remove whatever is there)",
            )
        };
        let mut waited = false;
        // A build that found nothing to keep removes the lock file it held;
        // whoever waited on it then locks the new one (bounded retries).
        for _ in 0..100 {
            if exclusive {
                std::fs::create_dir_all(out_dir).map_err(|e| {
                    Diagnostic::file_error(out_dir, format!("cannot create the output folder: {e}"))
                })?;
            }
            let file = match open_plain(&path, exclusive) {
                Ok(f) => f,
                Err(e) if !exclusive && e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(None);
                }
                Err(e) => return Err(fail(e)),
            };
            let tried = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match tried {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !std::mem::replace(&mut waited, true) {
                        on_wait();
                    }
                    let locked = if exclusive {
                        file.lock()
                    } else {
                        file.lock_shared()
                    };
                    locked.map_err(fail)?;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
            }
            if still_at(&file, &path) {
                return Ok(Some(file));
            }
        }
        Err(fail(std::io::Error::other(
            "the lock file keeps being replaced",
        )))
    }

    /// Ends the build's hold. A lock file left alone in the folder is
    /// removed (and the folder, when this run made it), so a build that
    /// wrote nothing leaves nothing; only where a waiting build can tell
    /// that the file it locked was removed (`still_at`).
    pub fn release(self) {
        let Some(file) = self.file else {
            return;
        };
        let alone = std::fs::read_dir(&self.dir).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| e.file_name() == std::ffi::OsStr::new(LOCK))
        });
        if cfg!(unix) && alone && std::fs::remove_file(self.dir.join(LOCK)).is_ok() && self.made_dir
        {
            let _ = std::fs::remove_dir(&self.dir);
        }
        drop(file);
    }
}

/// Whether `path` still names the file `file` has open (not removed or
/// replaced meanwhile). Where that cannot be told, it is assumed, and
/// `release` never removes a lock file.
fn still_at(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

// ── Names ────────────────────────────────────────────────────────────────

/// The output path for a data file: `out_dir/<stem>.<ext>`, the stem taken
/// as it is (a name that is not UTF-8 stays distinct, never made lossy).
pub fn output_path(out_dir: &Path, input: &Path, ext: &str) -> PathBuf {
    let mut name = input
        .file_stem()
        .map(OsStr::to_os_string)
        .unwrap_or_else(|| "report".into());
    name.push(".");
    name.push(ext);
    out_dir.join(name)
}

/// A path as manifest text: bytes that are not UTF-8 are written `\xNN` and
/// `\` as `\\`, so distinct paths never share a key.
fn path_key(path: &Path) -> String {
    let mut out = String::new();
    for chunk in path.as_os_str().as_encoded_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// `path` relative to `base` (both absolute): `../a/r.yaml`.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out: PathBuf = b[common..].iter().map(|_| "..").collect();
    out.extend(&p[common..]);
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A source's manifest key: its folder's real path, relative to the output
/// folder's, and its own name, so one file has one key however its folder
/// is named on the command line, from wherever the build runs, and wherever
/// the project is moved. The name itself is kept: a link to a data file is
/// another source with outputs of its own name.
fn file_key(path: &Path, base: &Path) -> String {
    let folder = std::fs::canonicalize(folder_of(path))
        .or_else(|_| std::path::absolute(folder_of(path)))
        .unwrap_or_else(|_| folder_of(path).to_path_buf());
    let real = folder.join(path.file_name().unwrap_or_default());
    path_key(&relative_to(&real, base))
}

/// An input's manifest key: the absolute path the loader read it by (links
/// not resolved, so a link pointed elsewhere reads the new target).
fn input_key(path: &Path) -> String {
    path_key(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The path a `path_key` was made from (`None` where it cannot be rebuilt).
fn key_path(key: &str) -> Option<PathBuf> {
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            bytes.push(b);
        } else if let Some(tail) = rest.strip_prefix(b"\\") {
            bytes.push(b'\\');
            rest = tail;
        } else {
            rest.strip_prefix(b"x")?;
            let hex = std::str::from_utf8(rest.get(1..3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &rest[3..];
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(bytes).ok().map(PathBuf::from)
    }
}

/// An output's manifest key: its file name.
fn output_key(path: &Path) -> String {
    path_key(Path::new(path.file_name().unwrap_or(path.as_os_str())))
}

/// A manifest key of a source as the user sees it: relative to the current
/// folder when it lies below it.
fn shown_source(key: &str, base: &Path) -> String {
    let mut real = PathBuf::new();
    for c in base.join(key).components() {
        match c {
            std::path::Component::ParentDir => {
                real.pop();
            }
            std::path::Component::CurDir => {}
            c => real.push(c),
        }
    }
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    match cwd.and_then(|c| real.strip_prefix(c).ok().map(Path::to_path_buf)) {
        Some(r) => r.display().to_string(),
        None => real.display().to_string(),
    }
}

// ── The manifest ─────────────────────────────────────────────────────────

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".zongjie-manifest.json";

/// Largest manifest read (a larger one is ignored: everything is rebuilt).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// What the documents built into one output folder were built from and
/// what they wrote. Keyed by the source data file (`file_key`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The zongjie version that wrote it (another version rebuilds all).
    pub version: String,
    pub documents: BTreeMap<String, ManifestEntry>,
}

/// Everything a document's outputs were made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The data file and its imports (`input_key`) → SHA-256 of the text
    /// exactly as it was parsed for this build.
    pub inputs: BTreeMap<String, String>,
    /// The genre the data named (it chooses the templates).
    pub genre: String,
    /// Every template the document can load → SHA-256 of its text.
    pub templates: BTreeMap<String, String>,
    pub formats: Vec<Format>,
    pub strict: bool,
    /// SHA-256 of the profile as loaded and of the fonts' bytes (PDF).
    pub typesetting: String,
    /// `SOURCE_DATE_EPOCH` when a PDF is built (it dates the PDF).
    pub source_date_epoch: Option<u64>,
}

/// One document's last build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub stamp: Stamp,
    /// Output file name → SHA-256 of the bytes this build wrote.
    pub outputs: BTreeMap<String, String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

impl Manifest {
    /// The folder's manifest; empty when there is none or another version
    /// wrote it. One that cannot be read (not a plain file, too large, not
    /// a manifest) is an error: without it, outputs another data file wrote
    /// would be overwritten without the refusal.
    pub fn read(out_dir: &Path) -> Result<Manifest, Diagnostic> {
        let path = out_dir.join(MANIFEST);
        if std::fs::symlink_metadata(&path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            return Ok(Manifest::default());
        }
        let unreadable = |why: String| {
            Diagnostic::file_error(&path, format!("cannot read the build manifest: {why}"))
                .with_hint(
                    "it records which data file wrote which output; remove it, or build with --force to rebuild everything and write a new one",
                )
        };
        let bytes = read_plain_checked(&path, MAX_MANIFEST_BYTES).map_err(unreadable)?;
        let manifest = match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) => m,
            // A manifest of another version may have another shape.
            Err(_) if other_version(&bytes) => return Ok(Manifest::default()),
            Err(e) => return Err(unreadable(format!("not a zongjie manifest ({e})"))),
        };
        Ok(if manifest.version == env!("CARGO_PKG_VERSION") {
            manifest
        } else {
            Manifest::default()
        })
    }

    pub fn write(&self, out_dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(&out_dir.join(MANIFEST), &json)
    }

    /// Output file name → the source that wrote it.
    fn owners(&self) -> BTreeMap<&str, &str> {
        self.documents
            .iter()
            .flat_map(|(source, e)| e.outputs.keys().map(move |o| (o.as_str(), source.as_str())))
            .collect()
    }

    /// Records `entry` for `source`; outputs it took over from another
    /// source (`--force`) are no longer that source's.
    fn record(&mut self, source: String, entry: ManifestEntry) {
        for (other, e) in self.documents.iter_mut() {
            if *other != source {
                e.outputs.retain(|o, _| !entry.outputs.contains_key(o));
            }
        }
        self.documents
            .retain(|other, e| *other == source || !e.outputs.is_empty());
        self.documents.insert(source, entry);
    }
}

/// Digest of what typesetting depends on: the profile as loaded and, for
/// PDFs and HTML pages, the font set (faces, roles and every font file's bytes).
fn typesetting_digest(t: &Typesetting) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(&t.profile).unwrap_or_default());
    if let Some(fonts) = &t.fonts {
        hasher.update(crate::fonts::describe(fonts).as_bytes());
        let mut seen: Vec<*const u8> = Vec::new();
        // Bundled faces are part of the binary (its version is recorded).
        let files = fonts
            .faces
            .iter()
            .filter(|f| f.source != crate::fonts::FontSource::Bundled);
        for face in files {
            let bytes = (*face.data).as_ref();
            if !seen.contains(&bytes.as_ptr()) {
                seen.push(bytes.as_ptr());
                hasher.update(Sha256::digest(bytes));
            }
        }
    }
    hex(&hasher.finalize())
}

/// The name of the variable that dates PDFs.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The latest date `SOURCE_DATE_EPOCH` may name: 9999-12-31 23:59:59 UTC.
const MAX_EPOCH: u64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` as seconds since 1970 (`None` when unset or empty).
/// Anything but plain digits, or a date after the year 9999, is an error.
pub fn source_date_epoch(value: Option<&OsStr>) -> Result<Option<u64>, Diagnostic> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()));
    match text.and_then(|t| t.parse::<u64>().ok()) {
        Some(secs) if secs <= MAX_EPOCH => Ok(Some(secs)),
        _ => Err(Diagnostic::file_error(
            Path::new(SOURCE_DATE_EPOCH),
            format!(
                "the environment variable {SOURCE_DATE_EPOCH} is `{}`, not a whole number of seconds since 1970-01-01 UTC",
                value.to_string_lossy()
            ),
        )
        .with_hint(format!(
            "write digits only, at most {MAX_EPOCH} (the end of 9999), e.g. {SOURCE_DATE_EPOCH}=$(git log -1 --format=%ct); or unset it to date the PDF by the data's `written`"
        ))),
    }
}

// ── Building a batch ─────────────────────────────────────────────────────

/// What to build and how.
pub struct BuildRequest {
    pub documents: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub formats: Vec<Format>,
    pub force: bool,
    pub strict: bool,
    pub jobs: usize,
    /// Render in memory and compare with the files on disk; write nothing.
    pub check_only: bool,
    /// `--profile`: one profile for every document (else found per folder).
    pub profile: Option<PathBuf>,
    pub fonts: crate::fonts::FontOptions,
    /// Where imports may come from (the project, and folders allowed).
    pub imports: load::ImportScope,
}

/// A loaded profile and font set with its digest (or why it failed), shared
/// by the documents using it.
type SharedTypesetting = std::sync::Arc<Result<(Typesetting, String), Diagnostic>>;

/// Profiles and font sets, loaded once per profile file for a whole batch.
struct TypesettingCache<'r> {
    request: &'r BuildRequest,
    loaded: Mutex<BTreeMap<Option<PathBuf>, SharedTypesetting>>,
    /// Profiles whose font notes were already reported in this run.
    noted: Mutex<BTreeSet<Option<PathBuf>>>,
}

impl TypesettingCache<'_> {
    /// True the first time it is asked for a profile.
    fn first_note(&self, t: &Typesetting) -> bool {
        self.noted
            .lock()
            .map(|mut n| n.insert(t.profile_path.clone()))
            .unwrap_or(false)
    }

    fn get(&self, input: &Path) -> SharedTypesetting {
        let key = profile_path_for(input, self.request.profile.as_deref());
        let mut loaded = match self.loaded.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        loaded
            .entry(key.clone())
            .or_insert_with(|| {
                let refused = found_profile_refusal(input, self.request.profile.as_deref());
                let t = match refused {
                    Some(d) => Err(d),
                    None => typesetting(
                        key.as_deref(),
                        &self.request.fonts,
                        // Always: the coverage check needs them for any format.
                        true,
                    ),
                };
                std::sync::Arc::new(t.map(|t| {
                    let digest = typesetting_digest(&t);
                    (t, digest)
                }))
            })
            .clone()
    }
}

/// What happened to one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Built,
    /// Inputs unchanged since the last build.
    Skipped,
    Failed,
    /// `--check`: every output is present and current.
    Current,
    /// `--check`: these outputs are missing or would change.
    Stale(Vec<PathBuf>),
}

/// One document's result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub input: PathBuf,
    pub status: Status,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Documents whose outputs would overwrite an earlier document's
/// (`data/a.yaml` and `data/sub/a.yaml` both write `a.*`): index → error.
fn output_collisions(documents: &[PathBuf]) -> BTreeMap<usize, Diagnostic> {
    let mut first: BTreeMap<&OsStr, &PathBuf> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (i, doc) in documents.iter().enumerate() {
        let stem = doc.file_stem().unwrap_or_default();
        match first.get(stem) {
            Some(earlier) => {
                let d = Diagnostic::file_error(
                    doc,
                    format!(
                        "would overwrite the outputs of {} (both are named {}.*)",
                        earlier.display(),
                        stem.display()
                    ),
                )
                .with_hint("two data files with the same name write the same output; rename one");
                out.insert(i, d);
            }
            None => {
                first.insert(stem, doc);
            }
        }
    }
    out
}

/// What every document of one run shares.
struct Batch<'a> {
    request: &'a BuildRequest,
    templates: &'a Templates,
    cache: TypesettingCache<'a>,
    manifest: Manifest,
    /// The output folder's real path (manifest keys are relative to it).
    base: PathBuf,
    epoch: Option<u64>,
}

/// Checks made before anything is rendered: `--out` is a folder (or is
/// missing) and `SOURCE_DATE_EPOCH` reads.
fn preflight(request: &BuildRequest) -> Result<Option<u64>, Diagnostic> {
    if std::fs::metadata(&request.out_dir).is_ok_and(|m| !m.is_dir()) {
        return Err(Diagnostic::file_error(
            &request.out_dir,
            "--out names an existing file, not a folder",
        )
        .with_hint("give the folder the outputs go into (it is created when missing)"));
    }
    source_date_epoch(std::env::var_os(SOURCE_DATE_EPOCH).as_deref())
}

/// Builds every document of the request on `jobs` threads, holding the
/// output folder's lock (`on_wait` is called if another build holds it
/// first). `on_done` is called as each document finishes (for progress
/// output); the outcomes come back in input order. The manifest is updated
/// for what was built. A panic while building one document is that
/// document's internal error; the others still build.
pub fn run(
    request: &BuildRequest,
    templates: &Templates,
    on_wait: &dyn Fn(),
    on_done: &(dyn Fn(&Outcome) + Sync),
) -> Result<Vec<Outcome>, Diagnostic> {
    let epoch = preflight(request)?;
    let lock = if request.check_only {
        OutputLock::shared(&request.out_dir, on_wait)?
    } else {
        OutputLock::exclusive(&request.out_dir, on_wait)?
    };
    if !request.check_only {
        remove_stale_temps(&request.out_dir, &lock);
    }
    // --force rebuilds everything, so an unreadable manifest is replaced.
    let (manifest, replace_manifest) = match Manifest::read(&request.out_dir) {
        Ok(m) => (m, false),
        Err(_) if request.force => (Manifest::default(), true),
        Err(d) => {
            lock.release();
            return Err(d);
        }
    };
    let base = std::fs::canonicalize(&request.out_dir)
        .or_else(|_| std::path::absolute(&request.out_dir))
        .unwrap_or_else(|_| request.out_dir.clone());
    let batch = Batch {
        request,
        templates,
        cache: TypesettingCache {
            request,
            loaded: Mutex::new(BTreeMap::new()),
            noted: Mutex::new(BTreeSet::new()),
        },
        manifest,
        base,
        epoch,
    };
    let collisions = output_collisions(&request.documents);
    let next = AtomicUsize::new(0);
    type Slot = Option<(Outcome, Option<(String, ManifestEntry)>)>;
    let results: Mutex<Vec<Slot>> = Mutex::new(vec![None; request.documents.len()]);
    let jobs = request.jobs.clamp(1, request.documents.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = request.documents.get(i) else {
                        break;
                    };
                    let failed = |d: Diagnostic| Outcome {
                        input: input.clone(),
                        status: Status::Failed,
                        diagnostics: vec![d],
                        elapsed: Duration::ZERO,
                    };
                    let (outcome, entry) = match collisions.get(&i) {
                        Some(d) => (failed(d.clone()), None),
                        None => catch_document(|| build_one(input, &batch))
                            .unwrap_or_else(|what| (failed(internal_error(input, &what)), None)),
                    };
                    on_done(&outcome);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some((outcome, entry));
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut outcomes = Vec::with_capacity(results.len());
    let mut next_manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        documents: batch.manifest.documents.clone(),
    };
    for (outcome, entry) in results.into_iter().flatten() {
        if let (Status::Built, Some((source, entry))) = (&outcome.status, entry) {
            next_manifest.record(source, entry);
        }
        outcomes.push(outcome);
    }
    if replace_manifest && !request.check_only {
        // An empty folder in its place is removed; anything else stays and
        // the write below says why it failed.
        let _ = std::fs::remove_dir(request.out_dir.join(MANIFEST));
    }
    if !request.check_only
        && (replace_manifest || next_manifest.documents != batch.manifest.documents)
        && let Err(e) = next_manifest.write(&request.out_dir)
        && let Some(last) = outcomes.last_mut()
    {
        last.diagnostics.push(Diagnostic::warning(
            &request.out_dir.join(MANIFEST),
            "",
            crate::diag::Pos::default(),
            format!("cannot write the build manifest: {e}"),
        ));
    }
    lock.release();
    Ok(outcomes)
}

std::thread_local! {
    /// Set while this thread builds a document.
    static IN_DOCUMENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Where the last panic in a document happened.
    static PANICKED_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (one document's build), turning a panic into its message and
/// place. While a document builds, the panic hook keeps the place for that
/// message instead of printing it; other panics are printed as before.
fn catch_document<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_DOCUMENT.get() {
                PANICKED_AT.set(info.location().map(|l| l.to_string()));
            } else {
                previous(info);
            }
        }));
    });
    IN_DOCUMENT.set(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_DOCUMENT.set(false);
    result.map_err(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        match PANICKED_AT.take() {
            Some(at) => format!("{what} (at {at})"),
            None => what,
        }
    })
}

/// A panic caught while building `input`, as that document's error.
fn internal_error(input: &Path, what: &str) -> Diagnostic {
    Diagnostic::file_error(
        input,
        format!("internal error while building this document: {what}"),
    )
    .with_hint("this is a bug in zongjie, not a fault in the data; the other documents were built and this one's outputs were left as they were. Please report it with this data file")
}

/// Everything a document's outputs will be made from, from the files
/// exactly as they were loaded.
fn stamp(batch: &Batch, loaded: &load::Loaded, genre: &str, typesetting: &str) -> Stamp {
    let mut inputs = BTreeMap::new();
    let mut todo = vec![loaded];
    while let Some(file) = todo.pop() {
        let key = input_key(&file.source.path);
        if inputs.contains_key(&key) {
            continue;
        }
        inputs.insert(key, sha256_hex(file.source.text.as_bytes()));
        todo.extend(file.imports.values().map(|l| &**l));
    }
    stamp_of(batch, inputs, genre, typesetting)
}

/// The stamp a document has if its inputs are still the files its last
/// build loaded: each re-read by the path the loader used, decoded as it
/// decodes, and digested. The loader is a function of those texts and
/// paths, so when this equals the last stamp the document would parse the
/// same, and it is not parsed again (`None`: an input cannot be read).
fn restamp(batch: &Batch, previous: &Stamp, typesetting: &str) -> Option<Stamp> {
    let mut inputs = BTreeMap::new();
    for key in previous.inputs.keys() {
        let path = key_path(key)?;
        let bytes = crate::files::read(&path, crate::files::Kind::Data).ok()?;
        let text = load::decode(&path, &bytes).ok()?;
        inputs.insert(key.clone(), sha256_hex(text.as_bytes()));
    }
    Some(stamp_of(batch, inputs, &previous.genre, typesetting))
}

fn stamp_of(
    batch: &Batch,
    inputs: BTreeMap<String, String>,
    genre: &str,
    typesetting: &str,
) -> Stamp {
    let request = batch.request;
    let mut templates = BTreeMap::new();
    for name in batch.templates.used_by(genre) {
        if let Some((_, text)) = batch.templates.sources.get(&name) {
            templates.insert(name, sha256_hex(text.as_bytes()));
        }
    }
    if request.formats.contains(&Format::Html) {
        templates.insert(
            crate::render::PAGE_TEMPLATE.into(),
            sha256_hex(batch.templates.page_template().as_bytes()),
        );
    }
    let dated = request.formats.contains(&Format::Pdf) || request.formats.contains(&Format::Docx);
    Stamp {
        inputs,
        genre: genre.to_string(),
        templates,
        formats: request.formats.clone(),
        strict: request.strict,
        typesetting: typesetting.to_string(),
        source_date_epoch: batch.epoch.filter(|_| dated),
    }
}

/// Whether every output is on disk with the digest its last build wrote.
fn outputs_intact(previous: &ManifestEntry, outputs: &[PathBuf]) -> bool {
    outputs.len() == previous.outputs.len()
        && outputs.iter().all(|o| {
            previous
                .outputs
                .get(&output_key(o))
                .is_some_and(|d| digest_plain(o).as_ref() == Some(d))
        })
}

/// An output name longer than a file name may be.
fn name_too_long(input: &Path, outputs: &[PathBuf]) -> Option<Diagnostic> {
    let long = outputs
        .iter()
        .find(|o| o.file_name().is_some_and(|n| n.len() > MAX_NAME_BYTES))?;
    Some(
        Diagnostic::file_error(
            input,
            format!(
                "the output name {} is longer than the {MAX_NAME_BYTES} bytes a file name can have",
                long.file_name().unwrap_or_default().display()
            ),
        )
        .with_hint("shorten the data file's name"),
    )
}

/// An output of `input` that another source wrote (the manifest says so).
fn taken(batch: &Batch, source: &str, input: &Path, outputs: &[PathBuf]) -> Option<Diagnostic> {
    let owners = batch.manifest.owners();
    let (out, owner) = outputs.iter().find_map(|out| {
        let owner = *owners.get(output_key(out).as_str())?;
        (owner != source).then_some((out, owner))
    })?;
    let owner = shown_source(owner, &batch.base);
    Some(
        Diagnostic::file_error(
            input,
            format!(
                "{} was written by {owner}; building {} would overwrite it",
                out.display(),
                input.display()
            ),
        )
        .with_hint(format!(
            "two data files of the same name are built into one folder: give one of them another --out folder or another name; --force lets {} take the outputs over (e.g. when {owner} was moved)",
            input.display()
        )),
    )
}

fn build_one(input: &Path, batch: &Batch) -> (Outcome, Option<(String, ManifestEntry)>) {
    let start = Instant::now();
    let request = batch.request;
    let templates = batch.templates;
    let outputs: Vec<PathBuf> = request
        .formats
        .iter()
        .map(|f| output_path(&request.out_dir, input, f.extension()))
        .collect();
    let done = |status, diagnostics| Outcome {
        input: input.to_path_buf(),
        status,
        diagnostics,
        elapsed: start.elapsed(),
    };
    let failed = |diagnostics| (done(Status::Failed, diagnostics), None);
    let source = file_key(input, &batch.base);
    let refused = name_too_long(input, &outputs).or_else(|| {
        let may_take = request.check_only || request.force;
        (!may_take)
            .then(|| taken(batch, &source, input, &outputs))
            .flatten()
    });
    if let Some(d) = refused {
        return failed(vec![d]);
    }
    let typesetting = batch.cache.get(input);
    let (typesetting, typesetting_digest) = match typesetting.as_ref() {
        Ok((t, d)) => (t, d),
        Err(d) => return failed(vec![d.clone()]),
    };
    let previous = batch.manifest.documents.get(&source);
    let may_skip = !request.force && !request.check_only;
    if may_skip
        && let Some(previous) = previous
        && restamp(batch, &previous.stamp, typesetting_digest).as_ref() == Some(&previous.stamp)
        && outputs_intact(previous, &outputs)
    {
        return (done(Status::Skipped, Vec::new()), None);
    }
    // Loaded once: the text digested is the text rendered.
    let loaded = match load::load_in(input, &request.imports) {
        Ok(l) => l,
        Err(diags) => return failed(diags),
    };
    #[cfg(debug_assertions)]
    if std::env::var_os("ZONGJIE_TEST_PANIC").is_some_and(|v| input.file_name() == Some(&v)) {
        panic!("ZONGJIE_TEST_PANIC names this document");
    }
    let (report, mut diagnostics) = resolve::resolve(&loaded);
    let Some(report) = report else {
        return failed(diagnostics);
    };
    let stamp = stamp(batch, &loaded, &report.doc.genre, typesetting_digest);
    if may_skip
        && let Some(previous) = previous
        && previous.stamp == stamp
        && outputs_intact(previous, &outputs)
    {
        return (done(Status::Skipped, Vec::new()), None);
    }
    if request.strict && !diagnostics.is_empty() {
        return failed(diagnostics);
    }
    let markdown = match templates.render_markdown(&report) {
        Ok(m) => typesetting.profile.text.apply(m),
        Err(d) => {
            diagnostics.push(d);
            return failed(diagnostics);
        }
    };
    let mut sources = Vec::new();
    collect_inputs(&loaded, &mut sources);
    let compiled = Compiled {
        report,
        markdown,
        warnings: diagnostics.clone(),
        inputs: sources.iter().map(|s| s.path.clone()).collect(),
        sources,
    };
    let mut rendered = Vec::new();
    for (format, out) in request.formats.iter().zip(&outputs) {
        if let Err(d) = refuse_overwriting_inputs(out, &compiled.inputs, templates) {
            diagnostics.push(d);
            return failed(diagnostics);
        }
        match render_format(&compiled, templates, typesetting, *format) {
            Ok((bytes, warnings)) => {
                diagnostics.extend(warnings);
                if *format == Format::Pdf && batch.cache.first_note(typesetting) {
                    diagnostics.extend(font_notes(typesetting, input));
                }
                rendered.push((out.clone(), bytes));
            }
            Err(d) => {
                diagnostics.push(d);
                return failed(diagnostics);
            }
        }
    }
    // Without a PDF, its coverage check still runs: a character no font
    // has is told by every build, not only when the PDF is made.
    if !request.formats.contains(&Format::Pdf) {
        diagnostics.extend(glyph_coverage(&compiled, typesetting));
    }
    // A writer's warnings (a character no font has) fail under --strict too.
    if request.strict
        && diagnostics
            .iter()
            .any(|d| d.severity >= crate::diag::Severity::Warning)
    {
        return (done(Status::Failed, diagnostics), None);
    }
    if request.check_only {
        let stale: Vec<PathBuf> = rendered
            .iter()
            .filter(|(path, bytes)| digest_plain(path) != Some(sha256_hex(bytes)))
            .map(|(p, _)| p.clone())
            .collect();
        let status = if stale.is_empty() {
            Status::Current
        } else {
            Status::Stale(stale)
        };
        return (done(status, diagnostics), None);
    }
    let files: Vec<(&Path, &[u8])> = rendered
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    if let Err((path, e)) = write_all_or_nothing(&files) {
        diagnostics.push(
            Diagnostic::file_error(&path, format!("cannot write output: {e}")).with_hint(
                "no output of this document was replaced; free space or fix the folder's permissions and build again",
            ),
        );
        return failed(diagnostics);
    }
    let entry = ManifestEntry {
        stamp,
        outputs: rendered
            .iter()
            .map(|(p, b)| (output_key(p), sha256_hex(b)))
            .collect(),
    };
    (done(Status::Built, diagnostics), Some((source, entry)))
}

/// An output path must never be one of the inputs or a template file.
pub fn refuse_overwriting_inputs(
    out: &Path,
    inputs: &[PathBuf],
    templates: &Templates,
) -> Result<(), Diagnostic> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(target) = canonical(out) else {
        return Ok(());
    };
    let template_files = templates.sources.values().filter_map(|(o, _)| match o {
        crate::render::Origin::File(p) => Some(p.clone()),
        crate::render::Origin::Builtin => None,
    });
    for input in inputs.iter().cloned().chain(template_files) {
        if canonical(&input).as_ref() == Some(&target) {
            return Err(Diagnostic::file_error(
                out,
                "refusing to overwrite an input file with output",
            )
            .with_hint("choose another --out folder"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_temp_names_are_recognised() {
        assert!(is_our_temp(OsStr::new(".zongjie-a1B2c3D4e5F6.tmp")));
        for other in [
            ".thesis.docx.4000000.tmp",
            ".a.md.1234.tmp",
            ".zongjie-short.tmp",
            ".zongjie-a1B2c3D4e5F6.tmp.bak",
            "zongjie-a1B2c3D4e5F6.tmp",
            ".zongjie-a1B2c3D4e5-6.tmp",
            ".zongjie-manifest.json",
        ] {
            assert!(!is_our_temp(OsStr::new(other)), "{other}");
        }
    }

    #[test]
    fn manifest_keys_are_relative_to_the_output_folder_and_never_lossy() {
        assert_eq!(
            relative_to(Path::new("/p/a/r.yaml"), Path::new("/p/o")),
            Path::new("../a/r.yaml")
        );
        assert_eq!(
            relative_to(Path::new("/p/o/r.yaml"), Path::new("/p/o")),
            Path::new("r.yaml")
        );
        assert_eq!(path_key(Path::new("a\\b")), "a\\\\b");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = path_key(Path::new(OsStr::from_bytes(b"r\xff.yaml")));
            let b = path_key(Path::new(OsStr::from_bytes(b"r\xfe.yaml")));
            assert_eq!(a, "r\\xff.yaml");
            assert_ne!(a, b);
            // The escape of a real backslash never reads as a byte escape.
            assert_ne!(path_key(Path::new("r\\xff.yaml")), a);
            for name in [
                b"r\xff.yaml".as_slice(),
                b"a\\xff\\\\b",
                "报告.yaml".as_bytes(),
            ] {
                let path = Path::new(OsStr::from_bytes(name));
                assert_eq!(key_path(&path_key(path)).as_deref(), Some(path));
            }
        }
    }

    #[test]
    fn source_date_epoch_is_digits_within_range() {
        let epoch = |v: &str| source_date_epoch(Some(OsStr::new(v)));
        assert_eq!(source_date_epoch(None).unwrap(), None);
        assert_eq!(epoch("").unwrap(), None);
        assert_eq!(epoch("0").unwrap(), Some(0));
        assert_eq!(epoch("1700000000").unwrap(), Some(1_700_000_000));
        for bad in [
            "abc",
            "1e9",
            "-1",
            " 1",
            "1.5",
            "+1",
            "99999999999999999999",
            "253402300800",
        ] {
            let d = epoch(bad).unwrap_err();
            assert!(
                d.message.contains("SOURCE_DATE_EPOCH"),
                "{bad}: {}",
                d.message
            );
            assert!(
                d.hint.as_deref().unwrap_or("").contains("digits only"),
                "{bad}"
            );
        }
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("zongjie-build-test-{}", std::process::id()));
        let path = dir.join("a.md");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_walk_is_bounded_and_sees_each_real_folder_once() {
        let dir = std::env::temp_dir().join(format!("zongjie-walk-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in [
            "a.yaml",
            "B.YML",
            "Profile.yaml",
            "notes.txt",
            ".hidden.yaml",
        ] {
            std::fs::write(dir.join(name), "intro: x\n").unwrap();
        }
        std::fs::write(dir.join("sub/c.Yaml"), "intro: x\n").unwrap();
        #[cfg(unix)]
        for (target, link) in [(".", "l1"), (".", "l2"), ("..", "sub/up"), ("loop", "loop")] {
            std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
        }
        let found = find_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["B.YML", "a.yaml", "sub/c.Yaml"]);
        let mut walk = Walk {
            project: load::ImportScope::of_inputs(std::slice::from_ref(&dir), &[]),
            seen: BTreeSet::new(),
            entries: 0,
            limit: 5,
        };
        let d = walk.folder(&dir, &mut Vec::new()).unwrap_err();
        assert!(
            d.message.starts_with("more than 5 files and folders under"),
            "{}",
            d.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn imported_data_files_are_not_documents() {
        let dir = std::env::temp_dir().join(format!("zongjie-docs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("main.yaml"),
            "imports: {上年: prev.yaml}\nintro: 正文。\n",
        )
        .unwrap();
        std::fs::write(dir.join("prev.yaml"), "metrics: {a: 1个}\n").unwrap();
        std::fs::write(
            dir.join("other.yaml"),
            "imports: {t: tasks.yaml}\nintro: 正文。\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("tasks.yaml"),
            "tasks: {rows: [{name: a, lead: b}]}\n",
        )
        .unwrap();
        let files = find_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<String> = documents(&files)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["main.yaml", "other.yaml", "tasks.yaml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
