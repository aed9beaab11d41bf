//! One document through the stages, in memory: load (data and imports) →
//! resolve → templates → Markdown (the profile's text option applied) →
//! doc tree. The doc tree is parsed once here and read by every writer
//! (`write`). `check`, `build`, the preview and the library example all
//! compile through this module; it writes nothing.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::diag::Diagnostic;
use crate::doc::Document;
use crate::load;
use crate::profile::TextProfile;
use crate::render::Templates;
use crate::resolve::{self, Report};

/// What one document compiles to, before anything is written.
pub struct Compiled {
    pub report: Report,
    /// The canonical text (`output/NAME.md`).
    pub markdown: String,
    /// `markdown` as a doc tree, parsed once, when the first writer asks.
    doc: OnceLock<Document>,
    /// Warnings (errors make `compile` fail instead).
    pub warnings: Vec<Diagnostic>,
    /// Every file the result depends on: the data file and its imports.
    pub inputs: Vec<PathBuf>,
    /// Their texts as read, in the same order: writers' findings (a
    /// character no font has) are located in them.
    pub sources: Vec<load::Source>,
}

impl Compiled {
    /// The data file the document was compiled from (it names writers' findings).
    pub fn input(&self) -> &Path {
        self.inputs
            .first()
            .map(PathBuf::as_path)
            .unwrap_or(Path::new("report"))
    }

    /// The doc tree of `markdown`: parsed on the first call, shared by
    /// every writer after it.
    pub fn doc(&self) -> &Document {
        self.doc.get_or_init(|| crate::doc::parse(&self.markdown))
    }

    /// The profile's text option applied to the Markdown.
    pub fn with_text(mut self, text: &TextProfile) -> Compiled {
        self.markdown = text.apply(std::mem::take(&mut self.markdown));
        self.doc = OnceLock::new();
        self
    }
}

/// Loads, checks and resolves one data file: the diagnostics, and the
/// report when there was no error.
pub fn check(path: &Path) -> (Option<(Report, Vec<PathBuf>)>, Vec<Diagnostic>) {
    let (resolved, diags) = checked(load::load(path), &TextProfile::default());
    let paths = |sources: Vec<load::Source>| sources.into_iter().map(|s| s.path).collect();
    (resolved.map(|(r, sources)| (r, paths(sources))), diags)
}

/// A loaded document resolved: the report and its sources when there was
/// no error, and the diagnostics.
pub fn resolved(loaded: &load::Loaded) -> (Option<(Report, Vec<load::Source>)>, Vec<Diagnostic>) {
    resolved_for(loaded, &TextProfile::default())
}

/// [`resolved`] for outputs set with the profile's `text` options (its
/// full-width option silences the ASCII-punctuation warning).
pub fn resolved_for(
    loaded: &load::Loaded,
    text: &TextProfile,
) -> (Option<(Report, Vec<load::Source>)>, Vec<Diagnostic>) {
    let (report, diags) = resolve::resolve_for(loaded, text.ascii_punctuation);
    (report.map(|r| (r, sources(loaded))), diags)
}

fn checked(
    loaded: Result<load::Loaded, Vec<Diagnostic>>,
    text: &TextProfile,
) -> (Option<(Report, Vec<load::Source>)>, Vec<Diagnostic>) {
    match loaded {
        Ok(l) => resolved_for(&l, text),
        Err(diags) => (None, diags),
    }
}

/// The data file and its imports as read, each once, the data file first.
pub fn sources(loaded: &load::Loaded) -> Vec<load::Source> {
    let mut out: Vec<load::Source> = Vec::new();
    let mut todo = vec![loaded];
    while let Some(file) = todo.pop() {
        if !out.iter().any(|s| s.path == file.source.path) {
            out.push(file.source.clone());
        }
        // Reversed, so imports are visited in their map order.
        todo.extend(file.imports.values().rev().map(|l| &**l));
    }
    out
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
    compile_for(path, templates, scope, &TextProfile::default())
}

/// `compile_in` for outputs set with the profile's `text` options: the
/// Markdown has them applied, and their checks follow them.
pub fn compile_for(
    path: &Path,
    templates: &Templates,
    scope: &load::ImportScope,
    text: &TextProfile,
) -> Result<Compiled, Vec<Diagnostic>> {
    finish(checked(load::load_in(path, scope), text), templates, text)
}

/// The same pipeline for a data file given as bytes: `path` names it in
/// diagnostics and anchors its imports, but the file itself is not read.
/// Used by the fuzz targets and by tests that need no files.
pub fn compile_source(
    path: &Path,
    bytes: &[u8],
    templates: &Templates,
) -> Result<Compiled, Vec<Diagnostic>> {
    let text = TextProfile::default();
    finish(
        checked(load::load_bytes(path, bytes), &text),
        templates,
        &text,
    )
}

fn finish(
    checked: (Option<(Report, Vec<load::Source>)>, Vec<Diagnostic>),
    templates: &Templates,
    text: &TextProfile,
) -> Result<Compiled, Vec<Diagnostic>> {
    let (resolved, diags) = checked;
    let Some((report, sources)) = resolved else {
        return Err(diags);
    };
    render(report, sources, diags, templates, text)
}

/// A resolved report through the templates: Markdown with `text` applied,
/// and its doc tree. A template error is added to `warnings` and fails it.
pub fn render(
    report: Report,
    sources: Vec<load::Source>,
    mut warnings: Vec<Diagnostic>,
    templates: &Templates,
    text: &TextProfile,
) -> Result<Compiled, Vec<Diagnostic>> {
    let markdown = match templates.render_markdown(&report) {
        Ok(m) => text.apply(m),
        Err(d) => {
            warnings.push(d);
            return Err(warnings);
        }
    };
    Ok(Compiled {
        report,
        doc: OnceLock::new(),
        markdown,
        warnings,
        inputs: sources.iter().map(|s| s.path.clone()).collect(),
        sources,
    })
}
