//! Building a batch: the documents of the request built on parallel
//! threads, each through `compile` and the writers in memory and written
//! all or nothing; a document is skipped when its manifest entry says that
//! nothing its outputs are made from changed and the outputs are intact.
//! Builds into one folder take turns through a lock file there; a panic
//! while building one document is that document's error.
//!
//! `inputs` finds the documents, `manifest` records what they were made
//! from, `fs` does the writing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::i18n;
use crate::load;
use crate::render::Templates;
use crate::tr;

pub mod fs;
pub mod inputs;
pub mod manifest;

// The paths of before the split, kept working.
pub use crate::compile::{Compiled, check, compile, compile_in, compile_source};
pub use crate::write::{
    Format, PROFILE_NAMES, SOURCE_DATE_EPOCH, Typesetting, font_notes, found_profile_refusal,
    glyph_coverage, html, pdf, profile_path_for, render_format, source_date_epoch, typesetting,
};
pub use fs::{LOCK, OutputLock, refuse_overwriting_inputs, write_all_or_nothing, write_atomic};
pub use inputs::{MAX_WALK_ENTRIES, Shard, documents, documents_known, find_inputs};
pub use manifest::{MANIFEST, Manifest, ManifestEntry, Stamp, output_path};

use fs::{digest_plain, name_too_long, remove_stale_temps};
use inputs::output_collisions;
use manifest::{
    file_key, output_key, outputs_intact, restamp, sha256_hex, stamp, taken, typesetting_digest,
};

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
    /// What finding the documents read from each data file
    /// (`inputs::documents_known`), recorded in the manifest for the next run.
    pub scans: BTreeMap<String, manifest::Scan>,
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
                        // Only when a format needs them (an md-only build
                        // never touches fonts).
                        self.request.formats.iter().any(|f| f.needs_fonts()),
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
            i18n::pick(
                "--out names an existing file, not a folder",
                "`--out` 指定的是一个已有的文件，不是文件夹",
            ),
        )
        .with_hint(i18n::pick(
            "give the folder the outputs go into (it is created when missing)",
            "请指定存放输出的文件夹（不存在时会自动创建）",
        )));
    }
    crate::write::epoch_from_env()
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
        scans: BTreeMap::new(),
    };
    for (outcome, entry) in results.into_iter().flatten() {
        if let (Status::Built | Status::Skipped, Some((source, entry))) = (&outcome.status, entry) {
            next_manifest.record(source, entry);
        }
        outcomes.push(outcome);
    }
    next_manifest.scans = next_scans(&batch.manifest, &next_manifest, &request.scans);
    if replace_manifest && !request.check_only {
        // An empty folder in its place is removed; anything else stays and
        // the write below says why it failed.
        let _ = std::fs::remove_dir(request.out_dir.join(MANIFEST));
    }
    if !request.check_only
        && (replace_manifest
            || next_manifest.documents != batch.manifest.documents
            // New scans are kept where something was built: a folder
            // where nothing was is left without a manifest.
            || (!next_manifest.documents.is_empty()
                && next_manifest.scans != batch.manifest.scans))
        && let Err(e) = next_manifest.write(&request.out_dir)
        && let Some(last) = outcomes.last_mut()
    {
        last.diagnostics.push(Diagnostic::warning(
            &request.out_dir.join(MANIFEST),
            "",
            crate::diag::Pos::default(),
            {
                let e = i18n::io_error(&e);
                tr!(
                    "cannot write the build manifest: {e}",
                    "无法写入生成记录（manifest）：{e}"
                )
            },
        ));
    }
    lock.release();
    Ok(outcomes)
}

/// The scans the next run can use: this run's, and the earlier ones of
/// files some document still reads (another shard's, or a `build` of one
/// file in a folder of many).
fn next_scans(
    previous: &Manifest,
    next: &Manifest,
    now: &BTreeMap<String, manifest::Scan>,
) -> BTreeMap<String, manifest::Scan> {
    let read: BTreeSet<&String> = next
        .documents
        .values()
        .flat_map(|e| e.stamp.inputs.keys())
        .collect();
    let mut scans: BTreeMap<String, manifest::Scan> = previous
        .scans
        .iter()
        .filter(|(k, _)| read.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    scans.extend(now.iter().map(|(k, v)| (k.clone(), v.clone())));
    scans
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
            .unwrap_or_else(|| i18n::pick("a panic", "程序异常（panic）").into());
        match PANICKED_AT.take() {
            Some(at) => tr!("{what} (at {at})", "{what}（位置：{at}）"),
            None => what,
        }
    })
}

/// A panic caught while building `input`, as that document's error.
fn internal_error(input: &Path, what: &str) -> Diagnostic {
    Diagnostic::file_error(
        input,
        tr!(
            "internal error while building this document: {what}",
            "生成这份文档时发生内部错误：{what}"
        ),
    )
    .with_hint(i18n::pick(
        "this is a bug in zongjie, not a fault in the data; the other documents were built and this one's outputs were left as they were. Please report it with this data file",
        "这是 zongjie 自身的缺陷，不是数据的问题；其他文档已照常生成，这份文档的输出保持原样。请把这个数据文件附上报告此问题",
    ))
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
        && let Some(entry) = outputs_intact(previous, &outputs)
    {
        return (done(Status::Skipped, Vec::new()), Some((source, entry)));
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
    let (resolved, diagnostics) = crate::compile::resolved_for(&loaded, &typesetting.profile.text);
    let Some((report, sources)) = resolved else {
        return failed(diagnostics);
    };
    let stamp = stamp(batch, &loaded, &report.doc.genre, typesetting_digest);
    if may_skip
        && let Some(previous) = previous
        && previous.stamp == stamp
        && let Some(entry) = outputs_intact(previous, &outputs)
    {
        return (done(Status::Skipped, Vec::new()), Some((source, entry)));
    }
    if request.strict && !diagnostics.is_empty() {
        return failed(diagnostics);
    }
    let text = &typesetting.profile.text;
    let compiled = match crate::compile::render(report, sources, diagnostics, templates, text) {
        Ok(c) => c,
        Err(diags) => return failed(diags),
    };
    let mut diagnostics = compiled.warnings.clone();
    let ctx = crate::write::Context {
        compiled: &compiled,
        templates,
        typesetting,
        epoch: batch.epoch,
    };
    let mut rendered = Vec::new();
    for (format, out) in request.formats.iter().zip(&outputs) {
        if let Err(d) = refuse_overwriting_inputs(out, &compiled.inputs, templates) {
            diagnostics.push(d);
            return failed(diagnostics);
        }
        match format.render(&ctx) {
            Ok(written) => {
                diagnostics.extend(written.diagnostics);
                if format.sets_type() && batch.cache.first_note(typesetting) {
                    diagnostics.extend(font_notes(typesetting, input));
                }
                rendered.push((out.clone(), written.bytes));
            }
            Err(d) => {
                diagnostics.push(d);
                return failed(diagnostics);
            }
        }
    }
    // Without a format that sets type, its coverage check still runs
    // (when fonts were resolved): a character no font has is told by
    // every such build, not only when the PDF is made.
    if !request.formats.iter().any(|f| f.sets_type()) {
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
        let e = i18n::io_error(&e);
        diagnostics.push(
            Diagnostic::file_error(&path, tr!("cannot write output: {e}", "无法写入输出：{e}"))
                .with_hint(i18n::pick(
                    "no output of this document was replaced; free space or fix the folder's permissions and build again",
                    "这份文档的输出都没有被替换；请腾出磁盘空间或修正文件夹的权限，然后重新生成",
                )),
        );
        return failed(diagnostics);
    }
    let entry = ManifestEntry {
        stamp,
        outputs: rendered
            .iter()
            .map(|(p, b)| (output_key(p), sha256_hex(b)))
            .collect(),
        // Read right after the write: hashed once more by the next build
        // that skips it, which renews the record (see `Seen`).
        seen: rendered
            .iter()
            .filter_map(|(p, _)| Some((output_key(p), manifest::Seen::of(p)?)))
            .collect(),
    };
    (done(Status::Built, diagnostics), Some((source, entry)))
}
