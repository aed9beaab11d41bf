//! The command line: clap definitions, running a command, printing
//! diagnostics and choosing the exit code (0 ok, 1 input errors, 2 usage).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::build;
use crate::diag::{self, Diagnostic};
use crate::render::{self, Templates};

/// zongjie — YAML data → Chinese government work reports (Markdown, HTML, PDF).
#[derive(Parser)]
#[command(name = "zongjie", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Render data files into output/ (Markdown; HTML and PDF per --format).
    Build(BuildArgs),
    /// Check data files and templates; print every error and warning.
    Check(CheckArgs),
    /// Write the built-in templates into templates/ for editing.
    Init(InitArgs),
    /// Serve a live preview of one data file; the page reloads on every save.
    Preview(PreviewArgs),
}

#[derive(Args)]
pub struct PreviewArgs {
    /// The data file to preview.
    pub file: PathBuf,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8023)]
    pub port: u16,
    /// Interface to listen on; only loopback unless given explicitly.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Folder of templates overriding the built-ins (default: templates/ when it exists).
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

#[derive(Args)]
pub struct CommonArgs {
    /// Data files or folders (default: data/).
    pub inputs: Vec<PathBuf>,
    /// Folder whose *.tera templates override the built-ins by name
    /// (default: templates/ when it exists).
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = diag::Format::Human)]
    pub diagnostic_format: diag::Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output formats (repeat or comma-separate).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "md")]
    pub format: Vec<OutputFormat>,
    /// Output folder.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args)]
pub struct InitArgs {
    /// Folder to write templates/ into (default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite templates that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Md,
    Html,
}

impl OutputFormat {
    fn extension(self) -> &'static str {
        match self {
            OutputFormat::Md => "md",
            OutputFormat::Html => "html",
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Init(args) => run_init(args),
        Command::Preview(args) => run_preview(args),
    }
}

fn templates_dir(arg: &Option<PathBuf>) -> Option<PathBuf> {
    match arg {
        Some(dir) => Some(dir.clone()),
        None => Some(PathBuf::from("templates")).filter(|p| p.is_dir()),
    }
}

fn inputs(common: &CommonArgs) -> Result<Vec<PathBuf>, Diagnostic> {
    let given = if common.inputs.is_empty() { vec![PathBuf::from("data")] } else { common.inputs.clone() };
    build::find_inputs(&given)
}

fn print(diags: &[Diagnostic], format: diag::Format) {
    if diags.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(diag::render_all(diags, format).as_bytes());
}

/// Errors, or warnings under --strict, fail the document.
fn fails(diags: &[Diagnostic], strict: bool) -> bool {
    diags.iter().any(|d| d.is_error() || strict)
}

fn setup(common: &CommonArgs) -> Result<(Vec<PathBuf>, Templates), ExitCode> {
    let files = inputs(common).map_err(|d| {
        print(&[d], common.diagnostic_format);
        ExitCode::from(1)
    })?;
    let templates = Templates::load(templates_dir(&common.templates).as_deref()).map_err(|d| {
        print(&d, common.diagnostic_format);
        ExitCode::from(1)
    })?;
    Ok((files, templates))
}

fn run_check(args: CheckArgs) -> ExitCode {
    let (files, templates) = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut failed = 0;
    let mut warnings = 0;
    for file in &files {
        let diags = match build::compile(file, &templates) {
            Ok(c) => c.warnings,
            Err(d) => d,
        };
        warnings += diags.iter().filter(|d| !d.is_error()).count();
        if fails(&diags, args.common.strict) {
            failed += 1;
        }
        print(&diags, args.common.diagnostic_format);
    }
    summary(&format!("checked {} file(s): {} failed, {} warning(s)", files.len(), failed, warnings), args.common.diagnostic_format);
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn summary(line: &str, format: diag::Format) {
    if format == diag::Format::Human || format == diag::Format::Short {
        eprintln!("{line}");
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let (files, templates) = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut failed = 0;
    let mut built = 0;
    build::remove_stale_temps(&args.out);
    // Output path → the data file it was written from in this run.
    let mut written: std::collections::BTreeMap<PathBuf, PathBuf> = std::collections::BTreeMap::new();
    for file in &files {
        let compiled = match build::compile(file, &templates) {
            Ok(c) if !fails(&c.warnings, args.common.strict) => c,
            Ok(c) => {
                print(&c.warnings, args.common.diagnostic_format);
                failed += 1;
                continue;
            }
            Err(d) => {
                print(&d, args.common.diagnostic_format);
                failed += 1;
                continue;
            }
        };
        print(&compiled.warnings, args.common.diagnostic_format);
        let mut ok = true;
        for format in &args.format {
            let out = build::output_path(&args.out, file, format.extension());
            if let Err(d) = refuse_overwriting_inputs(&out, &compiled.inputs, &templates) {
                print(&[d], args.common.diagnostic_format);
                ok = false;
                continue;
            }
            if let Some(first) = written.get(&out) {
                let d = Diagnostic::file_error(file, format!("would overwrite {}, written from {} in this build", out.display(), first.display()))
                    .with_hint("two data files with the same name write the same output; rename one");
                print(&[d], args.common.diagnostic_format);
                ok = false;
                continue;
            }
            let bytes = match format {
                OutputFormat::Md => compiled.markdown.clone().into_bytes(),
                OutputFormat::Html => match build::html(&compiled, &templates, &crate::html::HtmlOptions::default()) {
                    Ok(page) => page.into_bytes(),
                    Err(d) => {
                        print(&[d], args.common.diagnostic_format);
                        ok = false;
                        continue;
                    }
                },
            };
            if let Err(e) = build::write_atomic(&out, &bytes) {
                print(&[Diagnostic::file_error(&out, format!("cannot write output: {e}"))], args.common.diagnostic_format);
                ok = false;
            }
            written.insert(out, file.clone());
        }
        if ok {
            built += 1;
        } else {
            failed += 1;
        }
    }
    summary(&format!("built {built} document(s), {failed} failed"), args.common.diagnostic_format);
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// An output path must never be one of the inputs or a template.
fn refuse_overwriting_inputs(out: &Path, inputs: &[PathBuf], templates: &Templates) -> Result<(), Diagnostic> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(target) = canonical(out) else { return Ok(()) };
    let template_files = templates.sources.values().filter_map(|(o, _)| match o {
        render::Origin::File(p) => Some(p.clone()),
        render::Origin::Builtin => None,
    });
    for input in inputs.iter().cloned().chain(template_files) {
        if canonical(&input).as_ref() == Some(&target) {
            return Err(Diagnostic::file_error(out, "refusing to overwrite an input file with output")
                .with_hint("choose another --out folder"));
        }
    }
    Ok(())
}

fn run_init(args: InitArgs) -> ExitCode {
    let dir = args.dir.join("templates");
    let mut written = 0;
    let mut skipped = 0;
    let page = [(render::PAGE_TEMPLATE, crate::html::DEFAULT_PAGE_TEMPLATE)];
    for (name, text) in render::BUILTIN.iter().chain(page.iter()) {
        let path = dir.join(name);
        if path.exists() && !args.force {
            skipped += 1;
            continue;
        }
        if let Err(e) = build::write_atomic(&path, text.as_bytes()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        written += 1;
    }
    eprintln!(
        "wrote {written} template(s) to {}{}; edit them and `zongjie build` uses them in place of the built-ins",
        dir.display(),
        if skipped > 0 { format!(" ({skipped} existing kept; --force overwrites)") } else { String::new() }
    );
    ExitCode::SUCCESS
}

fn run_preview(args: PreviewArgs) -> ExitCode {
    let site = crate::site::PipelineSite::new(args.file.clone(), templates_dir(&args.templates));
    let config = crate::preview::PreviewConfig { host: args.host, port: args.port, open_browser: args.open };
    let result = crate::preview::serve(std::sync::Arc::new(site), config, |addr| {
        eprintln!("previewing {} at http://{addr}/ (Ctrl-C stops)", args.file.display());
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot start the preview server: {e}");
            ExitCode::from(1)
        }
    }
}
