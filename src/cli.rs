//! The command line: clap definitions, running a command, printing
//! diagnostics and choosing the exit code (0 ok, 1 input errors, 2 usage).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::build;
use crate::diag::{self, Diagnostic};
use crate::load::ImportScope;
use crate::render::{self, Templates};
use crate::tr;

/// zongjie — YAML data → Chinese government work reports (Markdown, HTML, PDF).
#[derive(Parser)]
#[command(name = "zongjie", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of messages (default: from LC_ALL, LC_MESSAGES, LANG).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<crate::i18n::Lang>,
}

/// The whole program: the language from `--lang` or the locale, the
/// command line parsed (help and usage errors in that language), the
/// command run.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = crate::i18n::of_command_line(&args, |name| std::env::var(name).ok());
    crate::i18n::set(lang);
    use clap::error::ErrorKind;
    match parse(&args, lang) {
        Ok(cli) => run(cli),
        Err(e) if lang == crate::i18n::Lang::Zh => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                print!("{}", crate::cli_zh::help_text(&e));
                ExitCode::SUCCESS
            }
            // `zongjie` alone: the help, as in English, on stderr.
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                eprint!("{}", crate::cli_zh::help_text(&e));
                ExitCode::from(2)
            }
            _ => {
                eprint!("{}", crate::cli_zh::usage_error(&e));
                ExitCode::from(2)
            }
        },
        Err(e) => {
            let _ = e.print();
            ExitCode::from(if e.use_stderr() { 2 } else { 0 })
        }
    }
}

/// The command line in `lang` (its help, for `--help`, in that language).
pub fn parse(args: &[std::ffi::OsString], lang: crate::i18n::Lang) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command();
    if lang == crate::i18n::Lang::Zh {
        cmd.build();
        cmd = crate::cli_zh::localize(cmd);
    }
    let matches = cmd.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

#[derive(Subcommand)]
pub enum Command {
    /// Render data files into output/ (Markdown, HTML, PDF and DOCX, per --format).
    Build(BuildArgs),
    /// Check data files and templates; print every error and warning.
    Check(CheckArgs),
    /// Write the built-in templates into templates/ for editing.
    Init(InitArgs),
    /// Serve a live preview of one data file; the page reloads on every save.
    Preview(PreviewArgs),
    /// Print the JSON Schema of the data format (for editor completion and validation).
    Schema,
    /// Show which font face fills each role of the PDF.
    Fonts(FontArgs),
    /// Print the default layout profile (YAML); save it as profile.yaml next
    /// to the data and change what your office does differently.
    Profile,
    /// Turn last year's report (.txt/.md/.docx, UTF-8, UTF-16 or GBK) into a YAML draft.
    Import(ImportArgs),
    /// Write a commented Chinese starter data file (every field explained).
    New(NewArgs),
    /// List every metric of a data file: value, plan, last year, 完成率, 占比,
    /// 同比, and stated values that disagree with the computed ones.
    Metrics(MetricsArgs),
}

#[derive(Args)]
pub struct NewArgs {
    /// The data file to create (*.yaml); an existing file is never overwritten.
    pub file: PathBuf,
    /// Which kind of report to start.
    #[arg(long, value_enum, default_value = "annual")]
    pub genre: crate::starter::Genre,
}

#[derive(Args)]
pub struct MetricsArgs {
    /// The data file.
    pub file: PathBuf,
    /// Print JSON (stable: see docs/data-format.md) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also allow imports from data files under FOLDER (repeatable).
    #[arg(long = "import-root", value_name = "FOLDER")]
    pub import_roots: Vec<PathBuf>,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = diag::Format::Human)]
    pub diagnostic_format: diag::Format,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The report: text copied from the web page, a WPS/Word text export, Markdown.
    pub file: PathBuf,
    /// Where to write the draft (default: standard output).
    #[arg(short, long, value_name = "DRAFT.yaml")]
    pub output: Option<PathBuf>,
    /// Overwrite the draft when it exists.
    #[arg(long)]
    pub force: bool,
    /// Lift the figures the tool computes exactly (完成率, 同比 with both
    /// years stated) into `metrics`, referred to as 【key.attr】.
    #[arg(long)]
    pub metrics: bool,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t = diag::Format::Human)]
    pub diagnostic_format: diag::Format,
}

/// Where the PDF's layout profile and fonts come from.
#[derive(Args, Clone)]
pub struct FontArgs {
    /// Layout profile (YAML or TOML); default: zongjie.toml, profile.yaml or
    /// zongjie.yaml next to each data file, else the GB/T 9704 defaults.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Folders searched for fonts before the system fonts (repeatable).
    #[arg(long = "font-path")]
    pub font_paths: Vec<PathBuf>,
    /// Use only the profile's font files, --font-path and the bundled fonts
    /// (the same output on every machine).
    #[arg(long)]
    pub ignore_system_fonts: bool,
}

impl FontArgs {
    fn options(&self) -> crate::fonts::FontOptions {
        crate::fonts::FontOptions {
            font_paths: self.font_paths.clone(),
            ignore_system_fonts: self.ignore_system_fonts,
        }
    }
}

#[derive(Args)]
pub struct PreviewArgs {
    /// The data file to preview.
    pub file: PathBuf,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8023)]
    pub port: u16,
    /// Interface to listen on; only loopback unless given explicitly (any
    /// other address is warned about).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// A host name the preview also answers to (besides localhost and the
    /// address it was reached on); repeatable.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Seconds a build may run before it is abandoned and reported.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub build_timeout: u64,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Folder of templates overriding the built-ins (default: templates/ when it exists).
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Also allow imports from data files under FOLDER (repeatable); by
    /// default imports stay inside the data file's folder.
    #[arg(long = "import-root", value_name = "FOLDER")]
    pub import_roots: Vec<PathBuf>,
    #[command(flatten)]
    pub fonts: FontArgs,
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
    /// Also allow imports from data files under FOLDER (repeatable); by
    /// default imports stay inside the input folders.
    #[arg(long = "import-root", value_name = "FOLDER")]
    pub import_roots: Vec<PathBuf>,
}

#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Output formats (repeat or comma-separate).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "md,html,pdf,docx"
    )]
    pub format: Vec<crate::write::Format>,
    #[command(flatten)]
    pub fonts: FontArgs,
    /// Output folder.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Documents built at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Rebuild documents whose inputs have not changed.
    #[arg(long)]
    pub force: bool,
    /// Write nothing; exit 1 listing every output that is missing or would change.
    #[arg(long)]
    pub check: bool,
    /// Build only the K-th of N shares of the documents (1 ≤ K ≤ N), chosen
    /// by a hash of each one's path: together the N shards build every
    /// document once (for CI matrices: --shard $INDEX/$TOTAL).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<build::Shard>,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The fonts the PDF would use: characters none of them has are warned about.
    #[command(flatten)]
    pub fonts: FontArgs,
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

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Init(args) => run_init(args),
        Command::Preview(args) => run_preview(args),
        Command::Fonts(args) => run_fonts(args),
        Command::Profile => match crate::profile::commented_defaults() {
            Ok(yaml) => {
                print!("{yaml}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{}", tr!("error: {e}", "错误：{e}"));
                ExitCode::from(1)
            }
        },
        Command::Import(args) => run_import(args),
        Command::New(args) => run_new(args),
        Command::Metrics(args) => run_metrics(args),
        Command::Schema => {
            print!("{}", crate::SCHEMA);
            ExitCode::SUCCESS
        }
    }
}

fn templates_dir(arg: &Option<PathBuf>) -> Option<PathBuf> {
    match arg {
        Some(dir) => Some(dir.clone()),
        None => Some(PathBuf::from("templates")).filter(|p| p.is_dir()),
    }
}

/// The inputs as given (default: data/).
fn given_inputs(common: &CommonArgs) -> Vec<PathBuf> {
    if common.inputs.is_empty() {
        vec![PathBuf::from("data")]
    } else {
        common.inputs.clone()
    }
}

/// The message for an `--import-root` that is not a folder.
fn not_a_folder() -> String {
    tr!(
        "--import-root: not a folder (or not there)",
        "`--import-root`：不是文件夹（或者不存在）"
    )
}

/// The hint for an `--import-root` that is not a folder.
fn folder_to_import() -> String {
    tr!(
        "give a folder that holds data files to import",
        "请给出存放要导入的数据文件的文件夹"
    )
}

/// The data files of the inputs, and the project imports may come from.
fn inputs(common: &CommonArgs) -> Result<(Vec<PathBuf>, ImportScope), Diagnostic> {
    let given = given_inputs(common);
    for root in &common.import_roots {
        if !root.is_dir() {
            return Err(Diagnostic::file_error(root, not_a_folder()).with_hint(folder_to_import()));
        }
    }
    let scope = ImportScope::of_inputs(&given, &common.import_roots);
    Ok((build::find_inputs(&given)?, scope))
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
    diags
        .iter()
        .any(|d| d.is_error() || (strict && d.severity == diag::Severity::Warning))
}

fn setup(common: &CommonArgs) -> Result<(Vec<PathBuf>, ImportScope, Templates), ExitCode> {
    let (files, scope) = inputs(common).map_err(|d| {
        print(&[d], common.diagnostic_format);
        ExitCode::from(1)
    })?;
    // Only the default templates/ is confined: --templates is the user's choice.
    let confined = common.templates.is_none();
    let dir = templates_dir(&common.templates);
    let templates = Templates::load_confined(dir.as_deref(), confined).map_err(|d| {
        print(&d, common.diagnostic_format);
        ExitCode::from(1)
    })?;
    Ok((files, scope, templates))
}

fn run_check(args: CheckArgs) -> ExitCode {
    let (files, scope, templates) = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut failed = 0;
    let mut warnings = 0;
    // One font set per profile, as a build resolves them.
    let mut typesetting: BTreeMap<Option<PathBuf>, Result<crate::write::Typesetting, Diagnostic>> =
        BTreeMap::new();
    for file in &files {
        let explicit = args.fonts.profile.as_deref();
        let t = typesetting
            .entry(crate::write::profile_path_for(file, explicit))
            .or_insert_with_key(
                |key| match crate::write::found_profile_refusal(file, explicit) {
                    Some(d) => Err(d),
                    None => crate::write::typesetting(key.as_deref(), &args.fonts.options(), true),
                },
            );
        // Checked as built: with the profile's text options.
        let text = t
            .as_ref()
            .map(|t| t.profile.text.clone())
            .unwrap_or_default();
        let diags = match crate::compile::compile_for(file, &templates, &scope, &text) {
            Ok(c) => {
                let mut diags = c.warnings.clone();
                // The page template is rendered too: what `build` would fail on.
                let page =
                    crate::write::html(&c, &templates, &crate::html::HtmlOptions::default(), None);
                if let Err(d) = page {
                    diags.push(d);
                }
                match t {
                    Ok(t) => diags.extend(crate::write::glyph_coverage(&c, t)),
                    Err(d) => diags.push(d.clone()),
                }
                diags
            }
            Err(d) => d,
        };
        warnings += diags
            .iter()
            .filter(|d| d.severity == diag::Severity::Warning)
            .count();
        if fails(&diags, args.common.strict) {
            failed += 1;
        }
        print(&diags, args.common.diagnostic_format);
    }
    summary(
        &check_summary(files.len(), failed, warnings),
        args.common.diagnostic_format,
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `check`'s last line: how many files, how many failed, how many warnings.
fn check_summary(files: usize, failed: usize, warnings: usize) -> String {
    tr!(
        "checked {files} file(s): {failed} failed, {warnings} warning(s)",
        "检查了 {files} 个文件：{failed} 个失败，{warnings} 个警告"
    )
}

fn summary(line: &str, format: diag::Format) {
    if format == diag::Format::Human || format == diag::Format::Short {
        eprintln!("{line}");
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let (files, scope, templates) = match setup(&args.common) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    // What an earlier build read from each data file, so unchanged files
    // are not parsed again to tell documents from imported data. Read
    // without the lock: a stale or missing manifest only costs a parse.
    let known = build::Manifest::read(&args.out).unwrap_or_default().scans;
    let (mut documents, scans) = build::documents_known(&files, &known);
    if let Some(shard) = &args.shard {
        let given = given_inputs(&args.common);
        documents.retain(|d| shard.takes(d, &given));
    }
    let request = build::BuildRequest {
        documents,
        scans,
        out_dir: args.out.clone(),
        formats,
        force: args.force,
        strict: args.common.strict,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        check_only: args.check,
        profile: args.fonts.profile.clone(),
        fonts: args.fonts.options(),
        imports: scope,
    };
    let started = std::time::Instant::now();
    let format = args.common.diagnostic_format;
    let terminal = std::io::stderr().is_terminal() && matches!(format, diag::Format::Human);
    let bar = terminal.then(|| {
        let bar = indicatif::ProgressBar::new(request.documents.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    });
    let on_done = |o: &build::Outcome| {
        let line = outcome_line(o);
        match &bar {
            Some(bar) => {
                // A failure stays on the screen above the bar; the other
                // lines only pass through the bar's message.
                bar.suspend(|| {
                    print(&o.diagnostics, format);
                    if o.status == build::Status::Failed {
                        eprintln!("{line}");
                    }
                });
                bar.set_message(line);
                bar.inc(1);
            }
            None => {
                print(&o.diagnostics, format);
                if matches!(format, diag::Format::Human | diag::Format::Short) {
                    eprintln!("{line}");
                }
            }
        }
    };
    let on_wait = || {
        if matches!(format, diag::Format::Human | diag::Format::Short) {
            let out = request.out_dir.display();
            eprintln!(
                "{}",
                tr!(
                    "waiting for another build writing into {out} to finish…",
                    "另一次生成正在写入 {out}，等它结束……"
                )
            );
        }
    };
    let outcomes = build::run(&request, &templates, &on_wait, &on_done);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let outcomes = match outcomes {
        Ok(o) => o,
        Err(d) => {
            print(&[d], format);
            return ExitCode::from(1);
        }
    };
    let count =
        |f: &dyn Fn(&build::Status) -> bool| outcomes.iter().filter(|o| f(&o.status)).count();
    let failed = count(&|s| *s == build::Status::Failed);
    let stale: Vec<&PathBuf> = outcomes
        .iter()
        .flat_map(|o| match &o.status {
            build::Status::Stale(paths) => paths.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(line) = failed_line(&outcomes) {
        summary(&line, format);
    }
    if args.check {
        for path in &stale {
            let path = diag::printable(&path.display().to_string()).into_owned();
            eprintln!("{}", tr!("out of date: {path}", "需要重新生成：{path}"));
        }
        let current = count(&|s| *s == build::Status::Current);
        let out_of_date = count(&|s| matches!(s, build::Status::Stale(_)));
        let documents = outcomes.len();
        summary(
            &tr!(
                "checked {documents} document(s): {current} current, {out_of_date} out of date, {failed} failed ({elapsed:.2} s)",
                "检查了 {documents} 个文档：{current} 个是最新的，{out_of_date} 个需要重新生成，{failed} 个失败（用时 {elapsed:.2} 秒）"
            ),
            format,
        );
    } else {
        let built = count(&|s| *s == build::Status::Built);
        let skipped = count(&|s| *s == build::Status::Skipped);
        summary(
            &tr!(
                "built {built}, skipped {skipped}, failed {failed} ({elapsed:.2} s)",
                "生成 {built} 个，跳过 {skipped} 个（没有变化），失败 {failed} 个（用时 {elapsed:.2} 秒）"
            ),
            format,
        );
    }
    if failed > 0 || !stale.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The documents that failed, by name, once all per-file lines are out:
/// `failed 2: data/a.yaml, data/b.yaml` (`None` when none did).
fn failed_line(outcomes: &[build::Outcome]) -> Option<String> {
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.status == build::Status::Failed)
        .map(|o| diag::printable(&o.input.display().to_string()).into_owned())
        .collect();
    let count = failed.len();
    (!failed.is_empty()).then(|| {
        tr!(
            "failed {count}: {}",
            "失败 {count} 个：{}",
            failed.join(crate::i18n::pick(", ", "、"))
        )
    })
}

/// One document's line as it is done: what happened, the file, the time
/// it took (`      built data/a.yaml (12 ms)`, `      已生成 data/a.yaml（12 毫秒）`).
fn outcome_line(o: &build::Outcome) -> String {
    use crate::i18n::pick;
    let word = match &o.status {
        build::Status::Built => pick("built", "已生成"),
        build::Status::Skipped => pick("unchanged", "没有变化"),
        build::Status::Failed => pick("FAILED", "失败"),
        build::Status::Current => pick("current", "是最新的"),
        build::Status::Stale(_) => pick("out of date", "需要重新生成"),
    };
    // Right-aligned by display width (a Chinese character is two columns).
    let width = if crate::i18n::zh() { 12 } else { 11 };
    let pad = " ".repeat(width - crate::columns::width(word).min(width));
    let file = diag::printable(&o.input.display().to_string()).into_owned();
    let ms = o.elapsed.as_millis();
    tr!(
        "{pad}{word} {file} ({ms} ms)",
        "{pad}{word} {file}（{ms} 毫秒）"
    )
}

fn run_import(args: ImportArgs) -> ExitCode {
    let format = args.diagnostic_format;
    let fail = |d: Diagnostic| {
        print(&[d], format);
        ExitCode::from(1)
    };
    let bytes = match crate::import::read_source(&args.file) {
        Ok(b) => b,
        Err(d) => return fail(d),
    };
    let options = crate::import::Options {
        metrics: args.metrics,
    };
    let imported = match crate::import::import_with(&args.file, &bytes, options) {
        Ok(i) => i,
        Err(d) => return fail(d),
    };
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("draft.yaml"));
    if let Err(errors) = crate::load::load_bytes(&target, imported.yaml.as_bytes()) {
        print(&errors, format);
        return fail(
            Diagnostic::file_error(
                &args.file,
                tr!(
                    "the draft made from this file does not load (a bug in zongjie import)",
                    "由这个文件生成的草稿读不进来（这是 `zongjie import` 的缺陷）"
                ),
            )
            .with_hint(tr!(
                "please report it with the source file",
                "请报告这个问题，并附上这个源文件"
            )),
        );
    }
    print(&imported.notes, format);
    match &args.output {
        None => {
            let _ = std::io::stdout().lock().write_all(imported.yaml.as_bytes());
        }
        Some(out) => {
            if out.exists() && !args.force {
                return fail(
                    Diagnostic::file_error(
                        out,
                        tr!("the draft exists already", "草稿文件已经存在"),
                    )
                    .with_hint(tr!(
                        "pass --force to overwrite it, or name another file with -o",
                        "要覆盖它，请加 `--force`；或者用 `-o` 另给一个文件名"
                    )),
                );
            }
            if std::fs::canonicalize(out).ok() == std::fs::canonicalize(&args.file).ok()
                && out.exists()
            {
                return fail(
                    Diagnostic::file_error(
                        out,
                        tr!("the draft would replace the source", "草稿会把源文件覆盖掉"),
                    )
                    .with_hint(tr!("name another file with -o", "请用 `-o` 另给一个文件名")),
                );
            }
            if let Err(e) = build::write_atomic(out, imported.yaml.as_bytes()) {
                let e = crate::i18n::io_error(&e);
                return fail(Diagnostic::file_error(
                    out,
                    tr!("cannot write the draft: {e}", "无法写入草稿：{e}"),
                ));
            }
            let (out, encoding, notes) = (out.display(), imported.encoding, imported.notes.len());
            eprintln!(
                "{}",
                tr!(
                    "wrote {out} (read as {encoding}; {notes} note(s)); check the `# 请核对` comments, then `zongjie build {out}`",
                    "已写出 {out}（按 {encoding} 读取；{notes} 条说明）；请核对其中的 `# 请核对` 注释，然后运行 `zongjie build {out}`"
                )
            );
        }
    }
    ExitCode::SUCCESS
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
            let (path, e) = (path.display(), crate::i18n::io_error(&e));
            eprintln!(
                "{}",
                tr!(
                    "error: cannot write {path}: {e}",
                    "错误：无法写入 {path}：{e}"
                )
            );
            return ExitCode::from(1);
        }
        written += 1;
    }
    let kept = if skipped > 0 {
        tr!(
            " ({skipped} existing kept; --force overwrites)",
            "（保留了 {skipped} 个已有的模板；加 `--force` 可覆盖）"
        )
    } else {
        String::new()
    };
    let dir = dir.display();
    eprintln!(
        "{}",
        tr!(
            "wrote {written} template(s) to {dir}{kept}; edit them and `zongjie build` uses them in place of the built-ins",
            "已把 {written} 个模板写到 {dir}{kept}；修改它们后，`zongjie build` 会用它们代替内置模板"
        )
    );
    ExitCode::SUCCESS
}

/// Why `file` cannot be previewed (it is not there, or not a regular
/// file): the preview exits with this instead of serving an error page.
fn preview_refusal(file: &Path) -> Option<Diagnostic> {
    let d = match std::fs::metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Diagnostic::file_error(file, tr!("no such data file", "没有这个数据文件")).with_hint(
                tr!(
                    "check the name and folder; `zongjie new FILE` writes a commented starter file",
                    "请检查文件名和所在文件夹；`zongjie new FILE` 可以新建一个带注释的起步文件"
                ),
            )
        }
        Err(e) => {
            let e = crate::i18n::io_error(&e);
            Diagnostic::file_error(
                file,
                tr!("cannot read the data file: {e}", "无法读取数据文件：{e}"),
            )
        }
        Ok(m) if m.is_dir() => Diagnostic::file_error(
            file,
            tr!("is a folder, not a data file", "这是文件夹，不是数据文件"),
        )
        .with_hint(tr!(
            "the preview shows one document: name its .yaml file",
            "预览一次显示一个文档：请给出它的 .yaml 文件"
        )),
        Ok(m) if !m.is_file() => {
            Diagnostic::file_error(file, tr!("is not a regular file", "不是普通文件")).with_hint(
                tr!(
                    "name the report's .yaml data file",
                    "请给出报告的 .yaml 数据文件"
                ),
            )
        }
        Ok(_) => return None,
    };
    Some(d)
}

/// `HH:MM:SS` of `t` on this machine's clock (local time where the system
/// says which zone it is in, else UTC), for the preview's log.
fn clock(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    #[cfg(unix)]
    {
        if let Ok(t) = libc::time_t::try_from(secs) {
            // SAFETY: localtime_r only reads `t` and writes into `tm`, which
            // is owned here; a null result means it failed.
            let mut tm: libc::tm = unsafe { std::mem::zeroed() };
            if !unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
                return format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
            }
        }
    }
    let day = secs % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

/// The log line of one preview build: time, what happened, the file (or
/// the fault's place) and the message of a failure.
fn rebuilt_line(file: &Path, r: &crate::preview::Rebuilt<'_>) -> String {
    let file = diag::printable(&file.display().to_string()).into_owned();
    let time = clock(r.at);
    match r.result {
        Ok(()) => {
            let ms = r.took.as_millis();
            tr!(
                "{time} built  {file} ({ms} ms)",
                "{time} 已生成 {file}（{ms} 毫秒）"
            )
        }
        Err(f) => {
            let place = f
                .location
                .as_deref()
                .map_or(file, |l| diag::printable(l).into_owned());
            let message = diag::printable(&f.message);
            tr!(
                "{time} FAILED {place}: {message}",
                "{time} 生成失败 {place}：{message}"
            )
        }
    }
}

fn run_preview(args: PreviewArgs) -> ExitCode {
    if let Some(d) = preview_refusal(&args.file) {
        print(&[d], diag::Format::Human);
        return ExitCode::from(1);
    }
    // Templates and profile are looked up at every build, so a folder or
    // profile created after the start is picked up.
    let site = crate::site::PipelineSite::new(
        args.file.clone(),
        args.templates.clone(),
        args.fonts.profile.clone(),
        args.fonts.options(),
    )
    .with_imports(ImportScope::of_inputs(
        std::slice::from_ref(&args.file),
        &args.import_roots,
    ));
    let site = if args.templates.is_none() {
        site.with_default_templates(PathBuf::from("templates"))
    } else {
        site
    };
    let (host, port) = (args.host.clone(), args.port);
    let config = crate::preview::PreviewConfig {
        host: args.host,
        port: args.port,
        open_browser: args.open,
        allow_hosts: args.allow_hosts,
        build_deadline: std::time::Duration::from_secs(args.build_timeout),
        ..crate::preview::PreviewConfig::default()
    };
    let file = args.file.clone();
    let log: crate::preview::Log = Box::new(move |r| eprintln!("{}", rebuilt_line(&file, r)));
    let ready = |addr| {
        if let Some(warning) = crate::preview::exposure_warning(addr) {
            eprintln!("{warning}");
        }
        let file = args.file.display();
        eprintln!(
            "{}",
            tr!(
                "previewing {file} at http://{addr}/ (Ctrl-C stops)",
                "正在预览 {file}，请在浏览器中打开 http://{addr}/ （按 Ctrl-C 停止）"
            )
        );
    };
    let result = crate::preview::serve_logged(std::sync::Arc::new(site), config, ready, Some(log));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let e = crate::i18n::io_error(&e);
            eprintln!(
                "{}",
                tr!(
                    "error: cannot start the preview server: {e}",
                    "错误：无法在 {host} 的端口 {port} 上启动预览服务：{e}"
                )
            );
            ExitCode::from(1)
        }
    }
}

fn run_fonts(args: FontArgs) -> ExitCode {
    let profile = args
        .profile
        .clone()
        .or_else(|| build::profile_path_for(std::path::Path::new("data/report.yaml"), None));
    let checked = match build::found_profile_refusal(
        Path::new("data/report.yaml"),
        args.profile.as_deref(),
    ) {
        Some(d) => Err(d),
        None => build::typesetting(profile.as_deref(), &args.options(), true),
    };
    match checked {
        Ok(t) => {
            if let Some(p) = &t.profile_path {
                let p = p.display();
                println!("{}", tr!("profile: {p}", "版式配置：{p}"));
            }
            if let Some(fonts) = &t.fonts {
                print!("{}", crate::fonts::describe(fonts));
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            print(&[d], diag::Format::Human);
            ExitCode::from(1)
        }
    }
}

fn run_new(args: NewArgs) -> ExitCode {
    match crate::starter::write(&args.file, args.genre) {
        Ok(w) => {
            let file = diag::printable(&w.file.display().to_string()).into_owned();
            let genre = args.genre.name();
            eprintln!(
                "{}",
                tr!(
                    "wrote {file} (a {genre} starter: every field is explained in its comments)",
                    "已写出 {file}（{genre}的起步文件：每个字段的用法都写在注释里）"
                )
            );
            if let Some(schema) = &w.schema {
                let schema = diag::printable(&schema.display().to_string()).into_owned();
                eprintln!(
                    "{}",
                    tr!(
                        "wrote {schema} (the schema its first line names, for editor completion)",
                        "已写出 {schema}（起步文件第一行指向的 Schema，供编辑器补全和检查）"
                    )
                );
            }
            eprintln!(
                "{}",
                tr!(
                    "next: change the sample text and figures, then `zongjie check --strict {file}` and `zongjie build {file}`",
                    "下一步：把示例文字和数字改成本单位的，然后运行 `zongjie check --strict {file}` 和 `zongjie build {file}`"
                )
            );
            ExitCode::SUCCESS
        }
        Err(d) => {
            print(&[d], diag::Format::Human);
            ExitCode::from(1)
        }
    }
}

fn run_metrics(args: MetricsArgs) -> ExitCode {
    for root in &args.import_roots {
        if !root.is_dir() {
            print(
                &[Diagnostic::file_error(root, not_a_folder()).with_hint(folder_to_import())],
                args.diagnostic_format,
            );
            return ExitCode::from(1);
        }
    }
    let scope = ImportScope::of_inputs(std::slice::from_ref(&args.file), &args.import_roots);
    match crate::metrics_view::review(&args.file, &scope) {
        Ok((review, warnings)) => {
            print(&warnings, args.diagnostic_format);
            let out = if args.json {
                crate::metrics_view::json(&review)
            } else {
                crate::metrics_view::text(&review)
            };
            let _ = std::io::stdout().lock().write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print(&diags, args.diagnostic_format);
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_log_lines_name_time_file_and_outcome() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 365 + 3723);
        let built = crate::preview::Rebuilt {
            at,
            took: std::time::Duration::from_millis(42),
            result: Ok(()),
        };
        let line = rebuilt_line(Path::new("data/r.yaml"), &built);
        let (time, rest) = line.split_once(' ').unwrap();
        assert_eq!(time.len(), 8, "{line}");
        assert!(
            time.chars().all(|c| c.is_ascii_digit() || c == ':'),
            "{line}"
        );
        assert_eq!(rest, "built  data/r.yaml (42 ms)");
        let f = crate::preview::BuildFailure {
            message: "unknown field `yaer`".into(),
            location: Some("data/r.yaml:4:3".into()),
            ..Default::default()
        };
        let failed = crate::preview::Rebuilt {
            result: Err(&f),
            ..built
        };
        let line = rebuilt_line(Path::new("data/r.yaml"), &failed);
        assert!(
            line.ends_with(" FAILED data/r.yaml:4:3: unknown field `yaer`"),
            "{line}"
        );
        assert!(preview_refusal(Path::new("no/such/file.yaml")).is_some());
        assert!(preview_refusal(Path::new("src")).is_some());
        assert!(preview_refusal(Path::new("Cargo.toml")).is_none());
    }
}
