//! The preview's pipeline adapter: which files to watch and how to rebuild
//! the page (and the PDF) in memory from a data file, through `compile`
//! and the writers as `build` does.
//!
//! What to watch is what a build read *or tried to read*: after a failed
//! build that is the data file, every import it names (followed as far as
//! they parse, missing ones included) and every file a diagnostic names;
//! always the templates folder and every place a profile may appear, so a
//! fix, a new template folder or a new profile is picked up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::compile::{self, Compiled};
use crate::diag::Diagnostic;
use crate::preview::{BuildFailure, Site};
use crate::render::Templates;
use crate::write::{self, Format, Typesetting};

/// Most files followed when listing what a failed build tried to import.
const MAX_ATTEMPTED: usize = 256;

/// One data file previewed through the whole pipeline.
pub struct PipelineSite {
    file: PathBuf,
    /// `--templates`: used (and must exist) when given.
    templates_dir: Option<PathBuf>,
    /// Used as the templates folder whenever it exists (`templates/`).
    default_templates: Option<PathBuf>,
    /// `--profile`; otherwise the profile is looked up next to the data
    /// file at every build.
    profile: Option<PathBuf>,
    fonts: crate::fonts::FontOptions,
    /// Where imports may come from.
    imports: crate::load::ImportScope,
    /// What the last build read or tried to read (data file and imports,
    /// files named by its diagnostics).
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
            default_templates: None,
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

    /// Without `--templates`: use `dir` as the templates folder whenever it
    /// exists, also when it is created after the preview started.
    pub fn with_default_templates(mut self, dir: PathBuf) -> Self {
        self.default_templates = Some(dir);
        self
    }

    fn templates(&self) -> Option<PathBuf> {
        self.templates_dir
            .clone()
            .or_else(|| self.default_templates.clone().filter(|d| d.is_dir()))
    }

    /// The profile in force now: the explicit one, or the first that
    /// exists next to the data file.
    fn profile(&self) -> Option<PathBuf> {
        write::profile_path_for(&self.file, self.profile.as_deref())
    }

    /// Every path a profile may be read from.
    fn profile_candidates(&self) -> Vec<PathBuf> {
        match &self.profile {
            Some(p) => vec![p.clone()],
            None => {
                let dir = self.file.parent().unwrap_or(Path::new(""));
                write::PROFILE_NAMES.iter().map(|n| dir.join(n)).collect()
            }
        }
    }

    fn typesetting(&self, with_fonts: bool) -> Result<Typesetting, BuildFailure> {
        let profile = self.profile();
        let refused = write::found_profile_refusal(&self.file, self.profile.as_deref());
        match refused {
            Some(d) => Err(d),
            None => write::typesetting(profile.as_deref(), &self.fonts, with_fonts),
        }
        .map_err(|d| {
            if let Ok(mut known) = self.inputs.lock()
                && !known.contains(&d.file)
            {
                known.push(d.file.clone());
            }
            failure(&[d])
        })
    }

    fn compile(&self) -> Result<(Compiled, Templates), BuildFailure> {
        let confined = self.templates_dir.is_none();
        let templates =
            Templates::load_confined(self.templates().as_deref(), confined).map_err(|d| {
                self.remember_failed(&d);
                failure(&d)
            })?;
        match compile::compile_in(&self.file, &templates, &self.imports) {
            Ok(compiled) => {
                self.remember(compiled.inputs.clone());
                Ok((compiled, templates))
            }
            Err(d) => {
                self.remember_failed(&d);
                Err(failure(&d))
            }
        }
    }

    /// The data file in one format, through the same pipeline as `build`.
    fn build_format(&self, format: Format) -> Result<Vec<u8>, BuildFailure> {
        let (compiled, templates) = self.compile()?;
        let typesetting = self.typesetting(format.needs_fonts())?;
        let epoch = match format.dated() {
            true => write::epoch_from_env().map_err(|d| failure(&[d]))?,
            false => None,
        };
        let compiled = compiled.with_text(&typesetting.profile.text);
        let ctx = write::Context {
            compiled: &compiled,
            templates: &templates,
            typesetting: &typesetting,
            epoch,
        };
        format
            .render(&ctx)
            .map(|w| w.bytes)
            .map_err(|d| failure(&[d]))
    }

    fn remember(&self, inputs: Vec<PathBuf>) {
        if let Ok(mut known) = self.inputs.lock() {
            *known = inputs;
        }
    }

    /// After a failure: the imports the data file names (as far as they
    /// parse) and every file a diagnostic points at.
    fn remember_failed(&self, diags: &[Diagnostic]) {
        let mut inputs = attempted_imports(&self.file);
        for d in diags {
            if !d.file.as_os_str().is_empty() && !inputs.contains(&d.file) {
                inputs.push(d.file.clone());
            }
        }
        self.remember(inputs);
    }
}

/// Reads a regular file of at most `cap` bytes; `None` for anything else
/// (missing, a folder, a FIFO or device, too large), without blocking.
fn read_regular(path: &Path, cap: u64) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > cap {
        return None;
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(cap)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// Only the `imports:` of a data file; everything else is ignored, so a
/// file with errors elsewhere still tells what it imports.
#[derive(serde::Deserialize)]
struct ImportsOnly {
    #[serde(default)]
    imports: std::collections::BTreeMap<String, String>,
}

/// The data file and every file its imports name, transitively, missing
/// and unparsable ones included (at most [`MAX_ATTEMPTED`], each read once).
pub fn attempted_imports(file: &Path) -> Vec<PathBuf> {
    let mut out = vec![file.to_path_buf()];
    let mut seen = BTreeSet::new();
    let mut next = 0;
    while next < out.len() && out.len() < MAX_ATTEMPTED {
        let path = out[next].clone();
        next += 1;
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if !seen.insert(key) {
            continue;
        }
        let Some(bytes) = read_regular(&path, crate::load::MAX_FILE_BYTES as u64) else {
            continue;
        };
        let Ok(text) = crate::load::decode(&path, &bytes) else {
            continue;
        };
        let Ok(found) = serde_saphyr::from_str::<ImportsOnly>(&text) else {
            continue;
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        for target in found.imports.values() {
            let p = dir.join(target);
            if !out.contains(&p) && out.len() < MAX_ATTEMPTED {
                out.push(p);
            }
        }
    }
    out
}

/// The first error (or, failing that, the first diagnostic) as a failure
/// panel; the count of further ones is added to the message.
fn failure(diags: &[Diagnostic]) -> BuildFailure {
    let first = diags.iter().find(|d| d.is_error()).or(diags.first());
    let Some(d) = first else {
        return BuildFailure {
            message: crate::tr!("build failed", "生成失败"),
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
            let first = &d.message;
            crate::tr!(
                "{first} (and {more} more error(s))",
                "{first}（另外还有 {more} 个错误）"
            )
        } else {
            d.message.clone()
        },
        location: Some(if d.line > 0 {
            format!("{}:{}:{}", d.file.display(), d.line, d.col)
        } else {
            d.file.display().to_string()
        }),
        snippet: d.snippet.clone(),
        fault: d.snippet.as_ref().map(|_| (d.snippet_col, d.len)),
        hint: d.hint.clone(),
    }
}

impl Site for PipelineSite {
    fn watched_paths(&self) -> Vec<PathBuf> {
        let mut paths = self.inputs.lock().map(|i| i.clone()).unwrap_or_default();
        if !paths.contains(&self.file) {
            paths.push(self.file.clone());
        }
        // Watched also while they do not exist: creating one rebuilds.
        paths.extend(self.templates_dir.iter().cloned());
        paths.extend(self.default_templates.iter().cloned());
        paths.extend(self.profile_candidates());
        paths
    }

    fn build_html(&self) -> Result<String, BuildFailure> {
        let bytes = self.build_format(Format::Html)?;
        String::from_utf8(bytes).map_err(|_| failure(&[]))
    }

    fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure> {
        self.build_format(Format::Pdf)
    }

    fn build_docx(&self) -> Result<Vec<u8>, BuildFailure> {
        self.build_format(Format::Docx)
    }

    /// SHA-256 over every input a build reads now: the data file and the
    /// imports of the last build, the templates folder's `*.tera` files,
    /// the profile in force, and `SOURCE_DATE_EPOCH`.
    fn inputs_digest(&self) -> Option<String> {
        let mut files: BTreeSet<PathBuf> = self
            .inputs
            .lock()
            .map(|i| i.iter().cloned().collect())
            .unwrap_or_default();
        files.insert(self.file.clone());
        files.extend(self.profile());
        if let Some(dir) = self.templates()
            && let Ok(entries) = std::fs::read_dir(&dir)
        {
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "tera"))
                    .take(MAX_ATTEMPTED),
            );
        }
        let mut hash = Sha256::new();
        for file in &files {
            hash.update(file.as_os_str().as_encoded_bytes());
            hash.update([0]);
            match read_regular(file, crate::load::MAX_FILE_BYTES as u64) {
                Some(bytes) => {
                    hash.update((bytes.len() as u64).to_le_bytes());
                    hash.update(&bytes);
                }
                None => hash.update(b"-"),
            }
        }
        hash.update(std::env::var("SOURCE_DATE_EPOCH").unwrap_or_default());
        Some(format!("{:x}", hash.finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zongjie-site-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    #[test]
    fn a_failed_build_watches_the_imports_it_tried() {
        let dir = temp("attempted");
        let _ = std::fs::write(
            dir.join("r.yaml"),
            "imports: {a: a.yaml, m: missing.yaml}\nnot_a_field: 1\n",
        );
        let _ = std::fs::write(
            dir.join("a.yaml"),
            "imports: {b: sub/b.yaml}\nmetrics: [broken\n",
        );
        let _ = std::fs::create_dir_all(dir.join("sub"));
        let _ = std::fs::write(dir.join("sub/b.yaml"), "imports: {back: ../r.yaml}\n");
        let site = PipelineSite::new(dir.join("r.yaml"), None, None, Default::default());
        assert!(site.build_html().is_err());
        let watched = site.watched_paths();
        for want in [
            dir.join("r.yaml"),
            dir.join("a.yaml"),
            dir.join("missing.yaml"),
            dir.join("zongjie.toml"),
            dir.join("profile.yaml"),
        ] {
            assert!(watched.contains(&want), "{want:?} not in {watched:?}");
        }
        // a.yaml does not parse, so what it imports is not known.
        assert!(!watched.contains(&dir.join("sub/b.yaml")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn attempted_imports_stop_at_cycles_and_fifos() {
        let dir = temp("cycle");
        let _ = std::fs::write(dir.join("r.yaml"), "imports: {a: a.yaml, p: pipe.yaml}\n");
        let _ = std::fs::write(dir.join("a.yaml"), "imports: {r: r.yaml, a: ./a.yaml}\n");
        #[cfg(unix)]
        let _ = std::process::Command::new("mkfifo")
            .arg(dir.join("pipe.yaml"))
            .status();
        let found = attempted_imports(&dir.join("r.yaml"));
        assert!(found.len() <= 5, "{found:?}");
        assert!(found.contains(&dir.join("a.yaml")));
        assert!(found.contains(&dir.join("pipe.yaml")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_preview_page_follows_the_text_option() {
        let dir = temp("text-option");
        let file = dir.join("r.yaml");
        let _ = std::fs::write(&file, "doc: {title: 甲}\nintro: 甲,乙(一)\n");
        let site = PipelineSite::new(file.clone(), None, None, Default::default())
            .with_default_templates(dir.join("templates"));
        let page = site.build_html().map_err(|_| "build").unwrap();
        assert!(page.contains("甲,乙(一)"), "{page}");
        let _ = std::fs::write(
            dir.join("profile.yaml"),
            "text: {ascii_punctuation: full-width}\n",
        );
        let page = site.build_html().map_err(|_| "build").unwrap();
        assert!(page.contains("甲，乙（一）"), "{page}");
    }

    #[test]
    fn digest_follows_every_input() {
        let dir = temp("digest");
        let file = dir.join("r.yaml");
        let _ = std::fs::write(&file, "doc: {title: 甲}\n");
        let site = PipelineSite::new(file.clone(), None, None, Default::default())
            .with_default_templates(dir.join("templates"));
        let d1 = site.inputs_digest();
        assert_eq!(d1, site.inputs_digest(), "deterministic");
        let _ = std::fs::create_dir_all(dir.join("templates"));
        let _ = std::fs::write(dir.join("templates/x.md.tera"), "x");
        let d2 = site.inputs_digest();
        assert_ne!(d1, d2, "a new template changes it");
        let _ = std::fs::write(dir.join("zongjie.toml"), "[page]\n");
        let d3 = site.inputs_digest();
        assert_ne!(d2, d3, "a new profile changes it");
        let _ = std::fs::write(&file, "doc: {title: 乙}\n");
        assert_ne!(d3, site.inputs_digest(), "the data changes it");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
