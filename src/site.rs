//! The preview's view of the real pipeline: which files to watch and how
//! to rebuild the page (and the PDF) in memory from a data file.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::build;
use crate::diag::Diagnostic;
use crate::preview::{BuildFailure, Site};
use crate::render::Templates;

/// One data file previewed through the whole pipeline.
pub struct PipelineSite {
    file: PathBuf,
    templates_dir: Option<PathBuf>,
    profile: Option<PathBuf>,
    fonts: crate::fonts::FontOptions,
    /// Where imports may come from.
    imports: crate::load::ImportScope,
    /// The inputs of the last build (data file and imports).
    inputs: Mutex<Vec<PathBuf>>,
}

impl PipelineSite {
    pub fn new(
        file: PathBuf,
        templates_dir: Option<PathBuf>,
        profile: Option<PathBuf>,
        fonts: crate::fonts::FontOptions,
    ) -> Self {
        PipelineSite {
            inputs: Mutex::new(vec![file.clone()]),
            file,
            templates_dir,
            profile,
            fonts,
            imports: crate::load::ImportScope::default(),
        }
    }

    /// Allows imports from within `scope` (else: the data file's folder tree).
    pub fn with_imports(mut self, scope: crate::load::ImportScope) -> Self {
        self.imports = scope;
        self
    }

    fn typesetting(&self, with_fonts: bool) -> Result<build::Typesetting, BuildFailure> {
        build::typesetting(self.profile.as_deref(), &self.fonts, with_fonts)
            .map_err(|d| failure(&[d]))
    }

    fn compile(&self) -> Result<(build::Compiled, Templates), BuildFailure> {
        let templates = Templates::load(self.templates_dir.as_deref()).map_err(|d| failure(&d))?;
        let compiled =
            build::compile_in(&self.file, &templates, &self.imports).map_err(|d| failure(&d))?;
        if let Ok(mut inputs) = self.inputs.lock() {
            inputs.clone_from(&compiled.inputs);
        }
        Ok((compiled, templates))
    }
}

/// The first error (or, failing that, the first diagnostic) as a failure
/// panel; the count of further ones is added to the message.
fn failure(diags: &[Diagnostic]) -> BuildFailure {
    let first = diags.iter().find(|d| d.is_error()).or(diags.first());
    let Some(d) = first else {
        return BuildFailure {
            message: "build failed".into(),
            ..BuildFailure::default()
        };
    };
    let more = diags
        .iter()
        .filter(|x| x.is_error())
        .count()
        .saturating_sub(1);
    BuildFailure {
        message: if more > 0 {
            format!("{} (and {more} more error(s))", d.message)
        } else {
            d.message.clone()
        },
        location: Some(if d.line > 0 {
            format!("{}:{}:{}", d.file.display(), d.line, d.col)
        } else {
            d.file.display().to_string()
        }),
        snippet: d.snippet.clone(),
        hint: d.hint.clone(),
    }
}

impl Site for PipelineSite {
    fn watched_paths(&self) -> Vec<PathBuf> {
        let mut paths = self.inputs.lock().map(|i| i.clone()).unwrap_or_default();
        if !paths.contains(&self.file) {
            paths.push(self.file.clone());
        }
        paths.extend(self.templates_dir.iter().cloned());
        paths.extend(self.profile.iter().cloned());
        paths
    }

    fn build_html(&self) -> Result<String, BuildFailure> {
        let (compiled, templates) = self.compile()?;
        let typesetting = self.typesetting(false)?;
        build::html(
            &compiled,
            &templates,
            &crate::html::HtmlOptions::from_profile(&typesetting.profile),
        )
        .map_err(|d| failure(&[d]))
    }

    fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure> {
        let (compiled, _) = self.compile()?;
        let typesetting = self.typesetting(true)?;
        build::pdf(&compiled, &typesetting)
            .map(|(bytes, _)| bytes)
            .map_err(|d| failure(&[d]))
    }
}
