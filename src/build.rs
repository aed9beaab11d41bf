//! Building: finds the documents among the inputs, runs each through the
//! pipeline (load → resolve → templates → Markdown → writers) in memory, in
//! parallel, skips documents whose inputs have not changed (a manifest of
//! input digests in the output folder), and writes outputs atomically (temp
//! file, then rename), so a failed or interrupted build never leaves a
//! half-written file or deletes a good one.

use std::collections::{BTreeMap, BTreeSet};
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
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
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
    path.file_name()
        .is_some_and(|n| PROFILE_NAMES.iter().any(|p| n == *p))
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
        .find(|p| p.is_file())
}

/// Loads a profile (defaults when `path` is `None`) and, when `with_fonts`,
/// resolves its fonts.
pub fn typesetting(
    path: Option<&Path>,
    fonts: &crate::fonts::FontOptions,
    with_fonts: bool,
) -> Result<Typesetting, Diagnostic> {
    let profile = match path {
        Some(p) => crate::profile::load_profile(p).map_err(|e| profile_diagnostic(p, &e))?,
        None => crate::profile::Profile::default(),
    };
    let fonts = if with_fonts {
        let set = crate::fonts::resolve_fonts(&profile, fonts)
            .map_err(|e| Diagnostic::file_error(path.unwrap_or(Path::new("fonts")), format!("fonts: {e}")).with_hint("see `zongjie fonts`; --font-path adds folders, the bundled fonts are the last resort"))?;
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

fn profile_diagnostic(path: &Path, e: &crate::profile::ProfileError) -> Diagnostic {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    match e {
        crate::profile::ProfileError::Parse {
            line,
            column,
            message,
            ..
        } => Diagnostic::error(
            path,
            &text,
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

/// The whole text pipeline for one data file, in memory.
pub fn compile(path: &Path, templates: &Templates) -> Result<Compiled, Vec<Diagnostic>> {
    finish(checked(load::load(path)), templates)
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

/// The HTML page of a compiled document (the doc tree in the page template).
pub fn html(
    compiled: &Compiled,
    templates: &Templates,
    options: &crate::html::HtmlOptions,
) -> Result<String, Diagnostic> {
    let doc = crate::doc::parse(&compiled.markdown);
    crate::html::render(&doc, options, templates.page_template()).map_err(|e| {
        Diagnostic::file_error(
            Path::new(crate::render::PAGE_TEMPLATE),
            format!("page template: {e}"),
        )
    })
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
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
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
        )
        .map(|h| (h.into_bytes(), Vec::new())),
        Format::Pdf => pdf(compiled, typesetting),
    }
}

/// The data files named by the inputs: files as given, folders searched
/// for `*.yaml` / `*.yml` (sorted; hidden entries and profile files skipped).
pub fn find_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut out)
                .map_err(|e| Diagnostic::file_error(input, format!("cannot read folder: {e}")))?;
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
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml")
            && !is_profile_file(&path)
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Which of the found files are documents to build. A file that another
/// found file imports is a data source, not a document, unless it has a
/// body of its own (parts, a task table, attachments or an intro).
/// Files that do not parse are kept, so their errors are reported.
pub fn documents(files: &[PathBuf]) -> Vec<PathBuf> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut imported = BTreeSet::new();
    let mut has_body = BTreeSet::new();
    for file in files {
        let Ok(bytes) = std::fs::read(file) else {
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

/// Writes `bytes` to `path` atomically: a temp file in the same folder,
/// flushed, then renamed over the target. Creates the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
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
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(pid) = temp_owner(&name) else {
            continue;
        };
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
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The output path for a data file: `out_dir/<stem>.<ext>`.
pub fn output_path(out_dir: &Path, input: &Path, ext: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    out_dir.join(format!("{stem}.{ext}"))
}

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".zongjie-manifest.json";

/// Input digests of the documents built into one output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub documents: BTreeMap<String, ManifestEntry>,
}

/// What a document was last built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Input files (data file and imports) → SHA-256.
    pub inputs: BTreeMap<String, String>,
    /// Templates in use → SHA-256 of their text.
    pub templates: BTreeMap<String, String>,
    pub formats: Vec<Format>,
    pub strict: bool,
    /// SHA-256 of the profile text and of the font set in use.
    pub typesetting: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Manifest {
    pub fn read(out_dir: &Path) -> Manifest {
        std::fs::read(out_dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.version == env!("CARGO_PKG_VERSION"))
            .unwrap_or_default()
    }

    pub fn write(&self, out_dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(&out_dir.join(MANIFEST), &json)
    }
}

/// Digest of what typesetting depends on: the profile file's text and, for
/// PDFs, the font set (faces, files and sizes per role).
fn typesetting_digest(t: &Typesetting) -> String {
    let mut text = t
        .profile_path
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_default();
    if let Some(fonts) = &t.fonts {
        text.extend_from_slice(crate::fonts::describe(fonts).as_bytes());
    }
    sha256_hex(&text)
}

fn manifest_entry(
    inputs: &[PathBuf],
    templates: &Templates,
    genre: &str,
    formats: &[Format],
    strict: bool,
    typesetting: &Typesetting,
) -> Option<ManifestEntry> {
    let mut entry = ManifestEntry {
        formats: formats.to_vec(),
        strict,
        typesetting: typesetting_digest(typesetting),
        ..ManifestEntry::default()
    };
    for input in inputs {
        let bytes = std::fs::read(input).ok()?;
        entry
            .inputs
            .insert(input.display().to_string(), sha256_hex(&bytes));
    }
    for name in templates.used_by(genre) {
        let text = templates
            .sources
            .get(&name)
            .map(|(_, t)| t.as_str())
            .unwrap_or("");
        entry.templates.insert(name, sha256_hex(text.as_bytes()));
    }
    if formats.contains(&Format::Html) {
        entry.templates.insert(
            crate::render::PAGE_TEMPLATE.into(),
            sha256_hex(templates.page_template().as_bytes()),
        );
    }
    Some(entry)
}

/// Whether a document's last build is still current: same inputs, same
/// templates, same formats, and every output still there.
fn is_current(
    previous: &ManifestEntry,
    templates: &Templates,
    formats: &[Format],
    strict: bool,
    typesetting: &Typesetting,
    outputs: &[PathBuf],
) -> bool {
    if previous.formats != formats
        || previous.strict != strict
        || previous.typesetting != typesetting_digest(typesetting)
        || outputs.iter().any(|o| !o.exists())
    {
        return false;
    }
    let inputs_same = previous
        .inputs
        .iter()
        .all(|(path, digest)| std::fs::read(path).is_ok_and(|b| sha256_hex(&b) == *digest));
    let templates_same = previous.templates.iter().all(|(name, digest)| {
        let text = if name == crate::render::PAGE_TEMPLATE {
            Some(templates.page_template())
        } else {
            templates.sources.get(name).map(|(_, t)| t.as_str())
        };
        text.is_some_and(|t| sha256_hex(t.as_bytes()) == *digest)
    });
    inputs_same && templates_same
}

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
}

/// A loaded profile and font set (or why it failed), shared by the documents using it.
type SharedTypesetting = std::sync::Arc<Result<Typesetting, Diagnostic>>;

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
                std::sync::Arc::new(typesetting(
                    key.as_deref(),
                    &self.request.fonts,
                    self.request.formats.contains(&Format::Pdf),
                ))
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
    let mut first: BTreeMap<String, &PathBuf> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (i, doc) in documents.iter().enumerate() {
        let stem = doc
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match first.get(&stem) {
            Some(earlier) => {
                let d = Diagnostic::file_error(
                    doc,
                    format!(
                        "would overwrite the outputs of {} (both are named {stem}.*)",
                        earlier.display()
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

/// Builds every document of the request on `jobs` threads. `on_done` is
/// called as each document finishes (for progress output); the outcomes
/// come back in input order. The manifest is updated for what was built.
pub fn run(
    request: &BuildRequest,
    templates: &Templates,
    on_done: &(dyn Fn(&Outcome) + Sync),
) -> Vec<Outcome> {
    if !request.check_only {
        remove_stale_temps(&request.out_dir);
    }
    let collisions = output_collisions(&request.documents);
    let manifest = Manifest::read(&request.out_dir);
    let cache = TypesettingCache {
        request,
        loaded: Mutex::new(BTreeMap::new()),
        noted: Mutex::new(BTreeSet::new()),
    };
    let next = AtomicUsize::new(0);
    type Slot = Option<(Outcome, Option<ManifestEntry>)>;
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
                    let (outcome, entry) = match collisions.get(&i) {
                        Some(d) => (
                            Outcome {
                                input: input.clone(),
                                status: Status::Failed,
                                diagnostics: vec![d.clone()],
                                elapsed: Duration::ZERO,
                            },
                            None,
                        ),
                        None => build_one(input, request, templates, &cache, &manifest),
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
        documents: manifest.documents.clone(),
    };
    for (outcome, entry) in results.into_iter().flatten() {
        let key = outcome.input.display().to_string();
        match (&outcome.status, entry) {
            (Status::Built, Some(entry)) => {
                next_manifest.documents.insert(key, entry);
            }
            (Status::Failed, _) => {
                next_manifest.documents.remove(&key);
            }
            _ => {}
        }
        outcomes.push(outcome);
    }
    if !request.check_only
        && next_manifest.documents != manifest.documents
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
    outcomes
}

fn build_one(
    input: &Path,
    request: &BuildRequest,
    templates: &Templates,
    cache: &TypesettingCache,
    manifest: &Manifest,
) -> (Outcome, Option<ManifestEntry>) {
    let start = Instant::now();
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
    let typesetting = cache.get(input);
    let typesetting = match typesetting.as_ref() {
        Ok(t) => t,
        Err(d) => return (done(Status::Failed, vec![d.clone()]), None),
    };
    if !request.force
        && !request.check_only
        && let Some(previous) = manifest.documents.get(&input.display().to_string())
        && is_current(
            previous,
            templates,
            &request.formats,
            request.strict,
            typesetting,
            &outputs,
        )
    {
        return (done(Status::Skipped, Vec::new()), None);
    }
    let compiled = match compile(input, templates) {
        Ok(c) => c,
        Err(diags) => return (done(Status::Failed, diags), None),
    };
    let mut diagnostics = compiled.warnings.clone();
    if request.strict && !diagnostics.is_empty() {
        return (done(Status::Failed, diagnostics), None);
    }
    let mut rendered = Vec::new();
    for (format, out) in request.formats.iter().zip(&outputs) {
        if let Err(d) = refuse_overwriting_inputs(out, &compiled.inputs, templates) {
            diagnostics.push(d);
            return (done(Status::Failed, diagnostics), None);
        }
        match render_format(&compiled, templates, typesetting, *format) {
            Ok((bytes, warnings)) => {
                diagnostics.extend(warnings);
                if *format == Format::Pdf && cache.first_note(typesetting) {
                    diagnostics.extend(font_notes(typesetting, input));
                }
                rendered.push((out.clone(), bytes));
            }
            Err(d) => {
                diagnostics.push(d);
                return (done(Status::Failed, diagnostics), None);
            }
        }
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
            .filter(|(path, bytes)| std::fs::read(path).ok().as_ref() != Some(bytes))
            .map(|(p, _)| p.clone())
            .collect();
        let status = if stale.is_empty() {
            Status::Current
        } else {
            Status::Stale(stale)
        };
        return (done(status, diagnostics), None);
    }
    for (path, bytes) in &rendered {
        if let Err(e) = write_atomic(path, bytes) {
            diagnostics.push(Diagnostic::file_error(
                path,
                format!("cannot write output: {e}"),
            ));
            return (done(Status::Failed, diagnostics), None);
        }
    }
    let entry = manifest_entry(
        &compiled.inputs,
        templates,
        &compiled.report.doc.genre,
        &request.formats,
        request.strict,
        typesetting,
    );
    (done(Status::Built, diagnostics), entry)
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
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
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
