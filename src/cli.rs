//! Commands: `build`, `check`, `fmt`, `route`, `test`, `graph`, `import`, `krm`, `explain`, `lsp`. Exit codes: 0 success (warnings allowed), 1 the
//! input has errors, 2 usage or I/O error.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use egwc::diagnostics::{self, Code, Diagnostic, Style, machine};
use egwc::emit::{self, Format};
use egwc::load::Input;
use egwc::target::Target;

const EXAMPLES: &str = "Examples:
  egwc build cluster.egw                 print the manifests as YAML
  egwc build cluster.egw -o json         as JSON (`-o` as in kubectl)
  egwc build cluster.egw --output-dir manifests/
                                         write one file per object
  egwc build cluster.egw --target istio  compile every gateway for Istio
  egwc build cluster.egw --allow N0513   do not report a note you have acted on
  egwc build cluster.egw | kubectl apply -f -
  egwc check *.egw --format json         diagnostics for tools
  egwc check .                           every build of this directory (egwc.toml `roots`)
  egwc fmt .                             format every .egw file under here
  egwc fmt --check cluster.egw           exit 1 if a file is not formatted
  cat cluster.egw | egwc check -         read standard input
  egwc route cluster.egw --url https://api.example.com/v1   where a request goes
  egwc test cluster.egw --coverage       run the test blocks, and say what they miss
  egwc graph cluster.egw                 the routing as a Mermaid picture
  egwc import values.yaml --output-dir cluster/
                                         come over from the chart (or Gateway API YAML)
  egwc explain E0100                     what a diagnostic means";

#[derive(Parser)]
#[command(name = "egwc", version = env!("EGWC_VERSION"), about = "Compile .egw files into Gateway API manifests for \
services outside the cluster", after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour diagnostics: auto (a terminal, or CI, unless NO_COLOR is set;
    /// FORCE_COLOR forces it), always or never
    #[arg(long, value_enum, global = true, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// The diagnostics' style, chosen once from `--color` and the environment.
static STYLE: std::sync::OnceLock<Style> = std::sync::OnceLock::new();

#[derive(Subcommand)]
enum Command {
    /// Check the files and print or write their manifests
    Build {
        /// .egw files; `-` reads standard input
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        options: CompileOptions,
        /// Output format, as kubectl's `-o`: yaml or json
        #[arg(
            short = 'o',
            long = "output",
            visible_alias = "format",
            value_name = "FORMAT",
            value_parser = output_format,
            default_value = "yaml"
        )]
        format: OutputFormat,
        /// Write one file per object into this directory instead of printing; the directory
        /// is replaced as a whole
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
        /// Print how long each stage took to standard error
        #[arg(long)]
        timings: bool,
    },
    /// Check the files and report every problem, writing nothing
    Check {
        /// .egw files; `-` reads standard input
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        options: CompileOptions,
        /// Diagnostics format
        #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
        format: DiagnosticFormat,
        /// Check each file as a build of its own (with what it imports), for files that are
        /// independent configurations (`egwc check --each examples/*.egw`); without it, the
        /// files are one build
        #[arg(long)]
        each: bool,
    },
    /// Format .egw files in place, or check that they are formatted
    Fmt {
        /// .egw files, or directories to search for them; `-` formats standard input to
        /// standard output
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: list the files that are not formatted, and exit 1 if there are any
        #[arg(long)]
        check: bool,
    },
    /// Show where a request goes: the gateway, listener, route and rule that take it, and the
    /// backends with their shares, or the redirect (docs/route.md)
    Route {
        /// .egw files (Gateway API YAML with `--manifests`); `-` reads standard input
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        options: CompileOptions,
        /// The files are Gateway API YAML (`kubectl get gateways,httproutes,services,
        /// referencegrants -A -o yaml`), not .egw
        #[arg(long)]
        manifests: bool,
        /// The request's URL, `http://` or `https://` (`https://api.example.com/v1?x=1`)
        #[arg(long)]
        url: String,
        /// The request's method
        #[arg(
            short = 'X',
            long = "request",
            value_name = "METHOD",
            default_value = "GET"
        )]
        method: String,
        /// A request header, `Name: value`; repeat for several. `Host` replaces the URL's host
        #[arg(short = 'H', long = "header", value_name = "HEADER")]
        headers: Vec<String>,
        /// Only this Gateway, `NAMESPACE/NAME`, when several listen on the request's port
        #[arg(long, value_name = "GATEWAY")]
        gateway: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = RouteFormat::Text)]
        format: RouteFormat,
        /// Print how long compiling and matching took to standard error
        #[arg(long)]
        timings: bool,
    },
    /// Run the files' `test` blocks: each request through the routing, each `expect` checked
    /// (docs/route.md)
    Test {
        /// .egw files; `-` reads standard input
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        options: CompileOptions,
        /// Report the rules, matches and backend services that no test reaches
        #[arg(long)]
        coverage: bool,
        /// Fail when the coverage is below this percentage (implies --coverage)
        #[arg(long, value_name = "PERCENT", value_parser = fail_under)]
        fail_under: Option<f64>,
    },
    /// Draw the routing: gateways, listeners, routes, rules (their matches), backends (their
    /// shares) and where each backend leads, as Mermaid or Graphviz dot
    Graph {
        /// .egw files; `-` reads standard input
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        options: CompileOptions,
        /// Output format
        #[arg(long, value_enum, default_value_t = GraphOutput::Mermaid)]
        format: GraphOutput,
    },
    /// Write .egw from the chart's values.yaml or from Gateway API YAML (docs/import.md)
    ///
    /// From the External Gateway Load Balancer chart's values.yaml, or Gateway API YAML
    /// (files, or `kubectl get … -o yaml | egwc import -`). What cannot be carried over, and
    /// what changes on migration, is listed on standard error with its file and line.
    Import {
        /// values.yaml or Gateway API YAML files; `-` reads standard input
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What the files are; inferred from the first document when omitted
        #[arg(long, value_enum)]
        from: Option<ImportFrom>,
        /// Write main.egw (and the CA certificates it names) into this new or empty
        /// directory instead of printing
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
        /// Not an option here: `--output-dir DIR` writes the files (kept to say so)
        #[arg(short = 'o', value_name = "DIR", hide = true, value_parser = import_o)]
        old_output: Option<PathBuf>,
    },
    /// Run as a kustomize generator (docs/gitops.md)
    ///
    /// Without an argument, a KRM function: reads a ResourceList on standard input, whose
    /// functionConfig (`apiVersion: egwc/v1alpha1`, `kind: Build`) names the .egw files, and
    /// writes it back with the objects added (`kustomize build --enable-alpha-plugins
    /// --enable-exec`). With one, an exec plugin: reads that configuration file and writes the
    /// objects (`kubectl kustomize --enable-alpha-plugins`).
    Krm {
        /// The configuration file kustomize gives an exec plugin
        config: Option<PathBuf>,
    },
    /// Run the language server on standard input and output (for editors)
    Lsp {
        /// Standard input and output, the only transport (accepted, as clients pass it)
        #[arg(long)]
        stdio: bool,
    },
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish)
    ///
    /// bash: `egwc completions bash > ~/.local/share/bash-completion/completions/egwc`;
    /// zsh: into a directory of your `fpath` as `_egwc`; fish:
    /// `egwc completions fish > ~/.config/fish/completions/egwc.fish`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `egwc man > egwc.1; man ./egwc.1`
    Man,
    /// Explain a diagnostic code (`E0100`) or name (`unknown-service`)
    Explain {
        /// The code or name; `--all` prints the whole catalog as Markdown
        #[arg(required_unless_present = "all")]
        code: Option<String>,
        #[arg(long)]
        all: bool,
    },
}

#[derive(clap::Args)]
struct CompileOptions {
    /// Compile every gateway for this controller (the names come from the capability table)
    #[arg(long, value_name = "TARGET", help = target_help())]
    target: Option<Target>,
    /// Do not report this warning or note (`N0513` or `endpointslice-rbac`), once you have
    /// acted on it; repeat for several. Errors cannot be allowed
    #[arg(long, value_name = "CODE")]
    allow: Vec<diagnostics::Allowed>,
}

/// The help of `--target`, naming every target of the capability table.
fn target_help() -> String {
    format!(
        "Compile every gateway for this controller, overriding their `target`: {}, with an \
optional `@VERSION` (`cilium@1.19`)",
        egwc::target::names("or")
    )
}

impl CompileOptions {
    fn options(&self) -> egwc::Options {
        egwc::Options {
            target: self.target,
            allow: self.allow.clone(),
            ..egwc::Options::default()
        }
    }
}

#[derive(Clone, Copy)]
enum OutputFormat {
    Yaml,
    Json,
}

/// `-o FORMAT`, as in kubectl; `-o DIR` (egwc before 0.2) is refused with the new spelling,
/// so that `egwc build -o json` can never write a directory named `json`.
fn output_format(value: &str) -> Result<OutputFormat, String> {
    match value {
        "yaml" => Ok(OutputFormat::Yaml),
        "json" => Ok(OutputFormat::Json),
        other => Err(format!(
            "`-o` is the output format, yaml or json, as in kubectl; to write one file per \
object into `{other}`, use `--output-dir {other}`"
        )),
    }
}

fn import_o(value: &str) -> Result<PathBuf, String> {
    Err(format!(
        "`egwc import` writes into a directory with `--output-dir {value}` (`-o` is an output \
format elsewhere, as in kubectl)"
    ))
}

#[derive(Clone, Copy, ValueEnum)]
enum DiagnosticFormat {
    /// For people: each diagnostic drawn at its lines
    Human,
    /// One JSON document (docs/json.md; its schema: docs/diagnostics.schema.json)
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub's upload-sarif)
    Sarif,
    /// GitHub Actions workflow commands: each diagnostic on the pull request's line
    Github,
}

/// Why a command stopped early.
enum Failure {
    /// A usage or I/O failure: printed as one line, exit code 2.
    Message(String),
    /// The reader of standard output or error closed it (`egwc check … | head`): the
    /// command ends quietly with exit code 0, as other command-line tools do.
    Closed,
}

/// The result of writing to a stream: a closed pipe is [`Failure::Closed`], any other error
/// (a full disk, `/dev/full`) a failure with its reason.
fn written<T>(result: std::io::Result<T>, what: &str) -> Result<T, Failure> {
    match result {
        Ok(value) => Ok(value),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::Closed),
        Err(e) => Err(Failure::Message(format!("cannot write to {what}: {e}"))),
    }
}

/// Writes `bytes` to standard output, whole or failed.
fn to_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let result = out.write_all(bytes).and_then(|()| out.flush());
    written(result, "standard output")
}

fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "egwc", &mut script);
    to_stdout(&script).map(|()| ExitCode::SUCCESS)
}

fn man() -> Result<ExitCode, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::Message(format!("cannot render the manual page: {e}")))?;
    to_stdout(&page).map(|()| ExitCode::SUCCESS)
}

/// Writes `text` to standard error, whole or failed.
fn to_stderr(text: &str) -> Result<(), Failure> {
    let mut err = std::io::stderr().lock();
    let result = err.write_all(text.as_bytes()).and_then(|()| err.flush());
    written(result, "standard error")
}

/// Draws diagnostics on standard error as they are rendered.
fn report(sources: &egwc::source::SourceMap, diags: &[Diagnostic]) -> Result<(), Failure> {
    let result = diagnostics::write_human(&mut std::io::stderr().lock(), sources, diags, style());
    written(result, "standard error")
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = STYLE.set(choose_style(cli.color));
    let result = match cli.command {
        Command::Build {
            files,
            options,
            format,
            output_dir,
            timings,
        } => build(
            &files,
            &options.options(),
            output_dir.as_deref(),
            format,
            timings,
        ),
        Command::Check {
            files,
            options,
            format,
            each,
        } => check(&files, &options.options(), format, each),
        Command::Fmt { files, check } => fmt(&files, check),
        Command::Graph {
            files,
            options,
            format,
        } => graph(&files, &options.options(), format),
        Command::Route {
            files,
            options,
            manifests,
            url,
            method,
            headers,
            gateway,
            format,
            timings,
        } => route(
            &files,
            &options.options(),
            manifests,
            &Asked {
                url,
                method,
                headers,
                gateway,
            },
            format,
            timings,
        ),
        Command::Test {
            files,
            options,
            coverage,
            fail_under,
        } => test(&files, &options.options(), coverage, fail_under),
        Command::Explain { code, all } => explain(code.as_deref(), all),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Import {
            files,
            from,
            output_dir,
            old_output: _,
        } => import(&files, from, output_dir.as_deref()),
        Command::Krm { config } => krm(config.as_deref()),
        // The protocol's exit code: 0 after `shutdown`, 1 for an `exit` without it.
        Command::Lsp { stdio: _ } => {
            let stdlib = stdlib_files();
            egwc::lsp::run(stdlib.as_ref().map(tempfile::TempDir::path))
        }
        .map(|clean| {
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        })
        .map_err(|e| Failure::Message(format!("language server: {e}"))),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            // Standard error may be what failed: nothing more can be said then.
            let _ = writeln!(std::io::stderr(), "egwc: {message}");
            ExitCode::from(2)
        }
    }
}

/// `egwc krm`: kustomize's generator, as a KRM function (no argument) or an exec plugin
/// (the configuration's file). Diagnostics go to standard error, where kustomize shows
/// them; the exit code is `build`'s.
fn krm(config: Option<&Path>) -> Result<ExitCode, Failure> {
    let Some(config) = config else {
        // A person who types `egwc krm` would otherwise wait on a read they did not mean.
        if std::io::stdin().is_terminal() {
            return Err(Failure::Message(
                "egwc krm reads a ResourceList on standard input, as kustomize sends it \
(docs/gitops.md); give it one (`egwc krm < list.yaml`), or a Build configuration \
(`egwc krm build.yaml`)"
                    .into(),
            ));
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(IMPORT_LIMIT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Message(format!("cannot read standard input: {e}")))?;
        let text = utf8("standard input", bytes)?;
        let input = egwc::krm::read_resource_list(&text).map_err(Failure::Message)?;
        let c = compile(&input.request.files, &input.request.options)?;
        report(&c.sources, &c.diagnostics)?;
        let manifests = c.manifests.as_deref().unwrap_or_default();
        to_stdout(
            input
                .respond(manifests, &c.sources, &c.diagnostics)
                .as_bytes(),
        )?;
        return Ok(finish(c));
    };
    let text = utf8(&config.display().to_string(), read_limited(config)?)?;
    let request = egwc::krm::read_config(&text)
        .map_err(|e| Failure::Message(format!("{}: {e}", config.display())))?;
    build(
        &request.files,
        &request.options,
        None,
        OutputFormat::Yaml,
        false,
    )
}

/// Text of at most [`IMPORT_LIMIT`] bytes, which must be UTF-8.
fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, Failure> {
    if bytes.len() as u64 > IMPORT_LIMIT {
        return Err(Failure::Message(format!("{name}: larger than 64 MiB")));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::Message(format!(
            "{name}: not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ImportFrom {
    /// The External Gateway Load Balancer chart's values.yaml
    Chart,
    /// Kubernetes objects: Gateway API YAML, as `kubectl get -o yaml` prints it or as files
    Manifests,
}

/// The largest input `egwc import` reads: far above any configuration, and bounded.
const IMPORT_LIMIT: u64 = 64 << 20;

/// `egwc import`: exit 0 when the `.egw` is written, 1 when an input is malformed (nothing
/// is written then), 2 for usage and I/O errors.
fn import(
    files: &[PathBuf],
    from: Option<ImportFrom>,
    output: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let mut inputs = Vec::new();
    for input in self::inputs(files)? {
        let (name, bytes) = match input {
            Input::Stdin(bytes) => ("<stdin>".to_string(), bytes),
            Input::Path(path) => (path.display().to_string(), read_limited(&path)?),
        };
        let text = utf8(&name, bytes)?;
        inputs.push(egwc::import::Input { name, text });
    }
    let source = from.map(|f| match f {
        ImportFrom::Chart => egwc::import::Source::Chart,
        ImportFrom::Manifests => egwc::import::Source::Manifests,
    });
    let imported = match egwc::import::import(&inputs, source, output.is_some()) {
        Ok(imported) => imported,
        Err(message) => {
            to_stderr(&format!("error: {message}\n"))?;
            return Ok(ExitCode::from(1));
        }
    };
    let mut report = String::new();
    for n in &imported.notes {
        let kind = if n.warning { "warning" } else { "note" };
        let at = if n.line > 0 {
            format!("{}:{}", n.file, n.line)
        } else {
            n.file.clone()
        };
        report.push_str(&format!("{kind}: {at}: {}: {}\n", n.at, n.message));
    }
    match output {
        None => {
            to_stderr(&report)?;
            to_stdout(imported.egw.as_bytes())?;
        }
        Some(dir) => {
            let mut files = vec![("main.egw".to_string(), imported.egw.clone())];
            files.extend(imported.files.iter().cloned());
            crate::output_dir::create(dir, files).map_err(Failure::Message)?;
            let warnings = imported.notes.iter().filter(|n| n.warning).count();
            report.push_str(&format!(
                "wrote {}; {warnings} warnings, {} notes; next: egwc check {}\n",
                dir.join("main.egw").display(),
                imported.notes.len() - warnings,
                dir.join("main.egw").display()
            ));
            to_stderr(&report)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A file's bytes, if it is a regular file of at most [`IMPORT_LIMIT`]: a FIFO or a device
/// would block or never end.
fn read_limited(path: &Path) -> Result<Vec<u8>, Failure> {
    let cannot =
        |e: std::io::Error| Failure::Message(format!("cannot read {}: {e}", path.display()));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Failure::Message(format!(
            "{}: not a regular file",
            path.display()
        )));
    }
    if meta.len() > IMPORT_LIMIT {
        return Err(Failure::Message(format!(
            "{}: larger than 64 MiB",
            path.display()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(IMPORT_LIMIT + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    Ok(bytes)
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum GraphOutput {
    Mermaid,
    Dot,
}

/// `egwc graph`: the routing of the files as a picture.
fn graph(
    files: &[PathBuf],
    options: &egwc::Options,
    format: GraphOutput,
) -> Result<ExitCode, Failure> {
    let c = compile(files, options)?;
    report(&c.sources, &c.diagnostics)?;
    let Some(manifests) = &c.manifests else {
        return Ok(finish(c));
    };
    let format = match format {
        GraphOutput::Mermaid => egwc::route::GraphFormat::Mermaid,
        GraphOutput::Dot => egwc::route::GraphFormat::Dot,
    };
    to_stdout(egwc::route::graph(manifests, format).as_bytes())?;
    Ok(finish(c))
}

/// `--fail-under`: a percentage from 0 to 100.
fn fail_under(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

/// `egwc test`: compiles the files and runs their tests. Exit 0 when every test passes (and
/// the coverage is at least `--fail-under`), 1 otherwise or when the files have errors.
fn test(
    files: &[PathBuf],
    options: &egwc::Options,
    coverage: bool,
    fail_under: Option<f64>,
) -> Result<ExitCode, Failure> {
    // A directory's roots are tested in turn, each under its name.
    let builds = builds(files)?;
    let mut failed = false;
    for files in &builds {
        if builds.len() > 1 {
            to_stdout(format!("{}\n", files[0].display()).as_bytes())?;
        }
        failed |= test_build(files, options, coverage, fail_under)?;
    }
    Ok(exit_code(failed))
}

/// Runs one build's tests; true when it failed (an error, a failed test, low coverage).
fn test_build(
    files: &[PathBuf],
    options: &egwc::Options,
    coverage: bool,
    fail_under: Option<f64>,
) -> Result<bool, Failure> {
    let (c, model) = egwc::compile_with_model(&inputs(files)?, options)
        .map_err(|e| Failure::Message(e.to_string()))?;
    report(&c.sources, &c.diagnostics)?;
    let (Some(manifests), Some(model)) = (&c.manifests, &model) else {
        return Ok(forget(c));
    };
    let r = egwc::verify::run(model, manifests, &c.sources);
    if !r.diagnostics.is_empty() {
        report(&c.sources, &r.diagnostics)?;
    }
    let mut out = r.summary();
    let failed = r.failed();
    let low = fail_under.is_some_and(|p| r.coverage.percent() < p);
    if coverage || fail_under.is_some() {
        out.push_str(&r.coverage.text());
    }
    if let Some(p) = fail_under.filter(|_| low) {
        out.push_str(&format!(
            "coverage {}% is below --fail-under {p}%\n",
            egwc::route::percent(r.coverage.percent() / 100.0)
        ));
    }
    to_stdout(out.as_bytes())?;
    Ok(failed > 0 || low || forget(c))
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RouteFormat {
    Text,
    Json,
}

/// The request `egwc route` is asked about.
struct Asked {
    url: String,
    method: String,
    headers: Vec<String>,
    gateway: Option<String>,
}

/// `egwc route`: compiles the files and answers where the request goes. Exit 0 when some
/// Gateway forwards or redirects it, 1 when none does (or the files have errors).
fn route(
    files: &[PathBuf],
    options: &egwc::Options,
    manifests: bool,
    asked: &Asked,
    format: RouteFormat,
    timings: bool,
) -> Result<ExitCode, Failure> {
    let request = route_request(&asked.url, &asked.method, &asked.headers)?;
    let gateway = asked.gateway.as_deref();
    let start = std::time::Instant::now();
    let (objects, origins) = if manifests {
        (route_yaml(files)?, egwc::route::Origins::default())
    } else {
        let (c, model) = compile_with_model(files, options)?;
        report(&c.sources, &c.diagnostics)?;
        let (Some(manifests), Some(model)) = (c.manifests.clone(), model) else {
            return Ok(finish(c));
        };
        let origins = egwc::route::Origins::new(&model, &c.sources);
        (egwc::route::Objects::from_manifests(manifests), origins)
    };
    let matching = std::time::Instant::now();
    let mut answers = egwc::route::resolve(&objects, &request);
    origins.apply(&mut answers);
    if timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let line = format!(
            "timings (ms): compile or read {:.1}, match {:.2}; {} routes\n",
            ms(matching - start),
            ms(matching.elapsed()),
            objects.routes.len()
        );
        written(
            std::io::stderr().write_all(line.as_bytes()),
            "standard error",
        )?;
    }
    if let Some(g) = gateway {
        let listening: Vec<String> = answers.iter().map(|a| a.gateway.clone()).collect();
        answers.retain(|a| a.gateway == g);
        if answers.is_empty() && !listening.is_empty() {
            to_stdout(
                format!(
                    "gateway {g} does not listen on port {}; {} do\n",
                    request.port,
                    listening.join(", ")
                )
                .as_bytes(),
            )?;
            return Ok(ExitCode::from(1));
        }
    }
    let text = match format {
        RouteFormat::Json => {
            let mut json = serde_json::to_string_pretty(&answers)
                .map_err(|e| Failure::Message(e.to_string()))?;
            json.push('\n');
            json
        }
        RouteFormat::Text => egwc::route::text(&answers, &request),
    };
    to_stdout(text.as_bytes())?;
    let taken = answers
        .iter()
        .any(|a| a.status == 200 || (300..400).contains(&a.status));
    Ok(if taken {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The objects of Gateway API YAML files, for `egwc route --manifests`.
fn route_yaml(files: &[PathBuf]) -> Result<egwc::route::Objects, Failure> {
    let mut objects = egwc::route::Objects::default();
    for input in inputs(files)? {
        let (name, bytes) = match input {
            Input::Stdin(bytes) => ("<stdin>".to_string(), bytes),
            Input::Path(path) => {
                let bytes = std::fs::read(&path).map_err(|e| {
                    Failure::Message(format!("cannot read {}: {e}", path.display()))
                })?;
                (path.display().to_string(), bytes)
            }
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::Message(format!("{name}: not UTF-8 text")))?;
        objects
            .add_yaml(&text)
            .map_err(|e| Failure::Message(format!("{name}: {e}")))?;
    }
    Ok(objects)
}

/// The request of `egwc route`'s `--url`, `-X` and `-H`.
fn route_request(
    url: &str,
    method: &str,
    headers: &[String],
) -> Result<egwc::route::Request, Failure> {
    let mut request = egwc::route::Request::new(url, method).map_err(Failure::Message)?;
    for h in headers {
        let Some((name, value)) = h.split_once(':') else {
            return Err(Failure::Message(format!(
                "`{h}` is not a header: write `Name: value`"
            )));
        };
        request.header(name.trim(), value.trim());
    }
    Ok(request)
}

fn inputs(files: &[PathBuf]) -> Result<Vec<Input>, Failure> {
    files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Failure::Message(format!("cannot read standard input: {e}")))?;
                Ok(Input::Stdin(bytes))
            } else {
                Ok(Input::Path(f.clone()))
            }
        })
        .collect()
}

/// The builds the arguments stand for: the files, as one build, or a directory's project
/// (`load::project`), which is given alone.
fn builds(files: &[PathBuf]) -> Result<Vec<Vec<PathBuf>>, Failure> {
    match files {
        [dir] if dir.is_dir() => egwc::load::project(dir).map_err(Failure::Message),
        _ => match files.iter().find(|f| f.is_dir()) {
            Some(dir) => Err(Failure::Message(format!(
                "{} is a directory: a directory stands for its project's builds (its egwc.toml's \
`roots`, or its .egw files) and is given alone",
                dir.display()
            ))),
            None => Ok(vec![files.to_vec()]),
        },
    }
}

/// The one build the arguments stand for (`build`, `route`, `test`, `graph`).
fn one_build(files: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut builds = builds(files)?;
    if builds.len() > 1 {
        let names: Vec<String> = builds
            .iter()
            .flatten()
            .map(|f| f.display().to_string())
            .collect();
        return Err(Failure::Message(format!(
            "{} names {} roots, each a build of its own ({}): name the one to use, as in `{}`",
            files[0].join(egwc::config::FILE_NAME).display(),
            names.len(),
            names.join(", "),
            names[0]
        )));
    }
    Ok(builds.pop().unwrap_or_default())
}

fn compile(files: &[PathBuf], options: &egwc::Options) -> Result<egwc::Compilation, Failure> {
    egwc::compile(&inputs(&one_build(files)?)?, options)
        .map_err(|e| Failure::Message(e.to_string()))
}

fn compile_with_model(
    files: &[PathBuf],
    options: &egwc::Options,
) -> Result<(egwc::Compilation, Option<egwc::ir::Model>), Failure> {
    egwc::compile_with_model(&inputs(&one_build(files)?)?, options)
        .map_err(|e| Failure::Message(e.to_string()))
}

fn style() -> Style {
    *STYLE.get().unwrap_or(&Style::Plain)
}

/// `--color auto` follows the conventions: NO_COLOR (no-color.org) turns colour off,
/// FORCE_COLOR or CLICOLOR_FORCE (other than `0`) on, and otherwise a terminal or a CI log
/// (`CI`, which GitHub Actions, GitLab and others set, and whose logs show colours) has it.
fn choose_style(when: ColorWhen) -> Style {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let set = |name: &str| !matches!(var(name).as_str(), "" | "0");
    let color = match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            var("NO_COLOR").is_empty()
                && (set("FORCE_COLOR")
                    || set("CLICOLOR_FORCE")
                    || set("CI")
                    || std::io::stderr().is_terminal())
        }
    };
    if color { Style::Color } else { Style::Plain }
}

/// The exit code, and the end of the compilation: its sources, syntax trees and objects are
/// left for the operating system to reclaim, as the process ends next. Freeing them one by
/// one is pure overhead (`egwc check` at N = 10,000: 0.81 s → 0.65 s, docs/performance.md).
fn finish(c: egwc::Compilation) -> ExitCode {
    exit_code(forget(c))
}

/// [`finish`], as whether the compilation had errors.
fn forget(c: egwc::Compilation) -> bool {
    let failed = c.has_errors();
    std::mem::forget(c);
    failed
}

/// Exit code 1 when the input had errors, else 0.
fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn build(
    files: &[PathBuf],
    options: &egwc::Options,
    output: Option<&Path>,
    format: OutputFormat,
    timings: bool,
) -> Result<ExitCode, Failure> {
    let format = match format {
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Json => Format::Json,
    };
    let inputs = inputs(&one_build(files)?)?;
    // To standard output, the objects are made and written a run at a time, after the
    // diagnostics; for a directory, each is a file of its own, all made first.
    let (c, model) = match output {
        None => egwc::compile_for_stream(&inputs, options),
        Some(_) => egwc::compile(&inputs, options).map(|c| (c, None)),
    }
    .map_err(|e| Failure::Message(e.to_string()))?;
    report(&c.sources, &c.diagnostics)?;
    let output_start = std::time::Instant::now();
    let objects = match (output, &model, &c.manifests) {
        (None, Some(model), _) => {
            let mut out = std::io::stdout().lock();
            let result = emit::write_stream(model, &c.sources, format, &mut out)
                .and_then(|objects| out.flush().map(|()| objects));
            written(result, "standard output")?
        }
        (Some(dir), _, Some(manifests)) => {
            let extension = match format {
                Format::Yaml => "yaml",
                Format::Json => "json",
            };
            let files = manifests
                .iter()
                .map(|m| (m.file_name(extension), emit::to_document(m, format)));
            crate::output_dir::replace(dir, files).map_err(Failure::Message)?;
            manifests.len()
        }
        _ => return Ok(finish(c)),
    };
    if timings {
        let t = c.timings;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let written = ms(output_start.elapsed());
        let emitted = match output {
            None => format!("emit+serialize+write {written:.1}"),
            Some(_) => format!("emit {:.1}, serialize+write {written:.1}", ms(t.emit)),
        };
        to_stderr(&format!(
            "timings (ms): load+parse {:.1}, check {:.1}, {emitted}; {objects} objects\n",
            ms(t.load_and_parse),
            ms(t.check),
        ))?;
    }
    Ok(finish(c))
}

/// Checks the builds the arguments stand for (one, each file with `--each`, or a directory's
/// roots) in turn: their diagnostics as they come, or one document of them all; exit 1 if
/// any has an error.
fn check(
    files: &[PathBuf],
    options: &egwc::Options,
    format: DiagnosticFormat,
    each: bool,
) -> Result<ExitCode, Failure> {
    let mut builds = builds(files)?;
    if each {
        builds = builds.into_iter().flatten().map(|f| vec![f]).collect();
    }
    let mut failed = false;
    let mut items = Vec::new();
    for files in &builds {
        let c =
            egwc::analyze(&inputs(files)?, options).map_err(|e| Failure::Message(e.to_string()))?;
        match format {
            DiagnosticFormat::Human => report(&c.sources, &c.diagnostics)?,
            _ => items.extend(machine::items(&c.sources, &c.diagnostics)),
        }
        failed |= forget(c);
    }
    if !matches!(format, DiagnosticFormat::Human) {
        to_stdout(machine_format(format, items).as_bytes())?;
    }
    Ok(exit_code(failed))
}

/// Diagnostics for tools, in `format` (not `human`).
fn machine_format(format: DiagnosticFormat, items: Vec<machine::Item>) -> String {
    match format {
        DiagnosticFormat::Sarif => machine::sarif(&items),
        DiagnosticFormat::Github => machine::github(&items),
        _ => machine::json(items),
    }
}

/// Formats each file. A file that does not parse is left as it is and its syntax error is
/// reported; a file is rewritten only when its layout changes, by replacing it whole.
fn fmt(files: &[PathBuf], check: bool) -> Result<ExitCode, Failure> {
    let mut paths = Vec::new();
    for f in files {
        egw_files_in(f, &mut paths)?;
    }
    let mut sources = egwc::source::SourceMap::default();
    // The project configuration sets nothing for formatting, but a mistake in it is reported
    // by every command, so that `fmt --check` in a hook does not pass over it.
    let first = files
        .first()
        .filter(|f| f.as_os_str() != "-")
        .map(|f| Input::Path(if f.is_dir() { f.join(".") } else { f.clone() }));
    let (_, mut diags) = egwc::load::config(
        first.as_slice(),
        &egwc::load::Edited::default(),
        &mut sources,
    );
    let mut unformatted = Vec::new();
    for path in &paths {
        let stdin = path.as_os_str() == "-";
        let (name, bytes) = if stdin {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::Message(format!("cannot read standard input: {e}")))?;
            ("<stdin>".to_string(), bytes)
        } else {
            let bytes = std::fs::read(path)
                .map_err(|e| Failure::Message(format!("cannot read {}: {e}", path.display())))?;
            (path.display().to_string(), bytes)
        };
        // The formatter writes LF, with no byte order mark: a file keeps its own.
        let bom = bytes.starts_with(egwc::load::BOM);
        let crlf = bytes
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|at| at > 0 && bytes[at - 1] == b'\r');
        let original = bytes.clone();
        let formatted = egwc::load::add_source(
            &mut sources,
            name.clone(),
            name.clone(),
            path.clone(),
            bytes,
        )
        .map_err(|diag| vec![diag])
        .and_then(|(file, text)| Ok((egwc::syntax::format(file, &text)?, text)));
        let formatted = match formatted {
            Ok((formatted, _)) => {
                let mut out = String::with_capacity(formatted.len() + 3);
                if bom {
                    out.push('\u{feff}');
                }
                if crlf {
                    out.push_str(&formatted.replace('\n', "\r\n"));
                } else {
                    out.push_str(&formatted);
                }
                out
            }
            Err(errors) => {
                diags.extend(errors);
                continue;
            }
        };
        if formatted.as_bytes() == original {
            if stdin && !check {
                to_stdout(formatted.as_bytes())?;
            }
        } else if check {
            unformatted.push(name);
        } else if stdin {
            to_stdout(formatted.as_bytes())?;
        } else {
            replace_file(path, &formatted)?;
        }
    }
    diagnostics::sort(&mut diags);
    report(&sources, &diags)?;
    let listed: String = unformatted.iter().map(|name| format!("{name}\n")).collect();
    to_stdout(listed.as_bytes())?;
    if !unformatted.is_empty() {
        let n = unformatted.len();
        let files = if n == 1 { "file is" } else { "files are" };
        to_stderr(&format!(
            "egwc: {n} {files} not formatted; `egwc fmt` formats them\n"
        ))?;
    }
    Ok(if diags.is_empty() && unformatted.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `path` itself if it is not a directory (a file, `-`), else the `.egw` files under it,
/// sorted: regular files only, never through a symbolic link (so no loops), skipping hidden
/// entries, `node_modules` and what `.gitignore` and `.ignore` files leave out.
fn egw_files_in(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Failure> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let walk = ignore::WalkBuilder::new(path)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|e| e.file_name() != "node_modules")
        .build();
    for entry in walk {
        let entry =
            entry.map_err(|e| Failure::Message(format!("cannot read {}: {e}", path.display())))?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && entry.path().extension().is_some_and(|e| e == "egw") {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

/// Replaces a file's contents whole: the new text is written beside it, then renamed over it,
/// so a failure leaves the old file as it was. A symbolic link keeps pointing at its file.
fn replace_file(path: &Path, text: &str) -> Result<(), Failure> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        Failure::Message(format!("cannot {what} {}: {e}", p.display()))
    };
    let target = std::fs::canonicalize(path).map_err(|e| io("resolve", path, e))?;
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let staging = target.with_file_name(format!(".{name}.egwc-fmt-{}", std::process::id()));
    let permissions = std::fs::metadata(&target)
        .map_err(|e| io("read", &target, e))?
        .permissions();
    let result = std::fs::write(&staging, text)
        .and_then(|()| std::fs::set_permissions(&staging, permissions))
        .and_then(|()| std::fs::rename(&staging, &target));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&staging);
        return Err(io("write", path, e));
    }
    Ok(())
}

fn explain(code: Option<&str>, all: bool) -> Result<ExitCode, Failure> {
    if all {
        to_stdout(diagnostics::catalog_markdown().as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = code.unwrap_or_default();
    let Some(code) = Code::find(text) else {
        return Err(Failure::Message(format!(
            "unknown diagnostic code `{text}`; `egwc explain --all` lists them"
        )));
    };
    let info = code.info();
    to_stdout(
        format!(
            "{} {} ({})\n\n{}\n\n{}\n",
            info.code,
            info.name,
            info.severity.as_str(),
            info.summary,
            info.explanation
        )
        .as_bytes(),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The standard library's modules as read-only files (`std/….egw`) in a new private
/// directory, which the language server's go to definition opens; removed when the server
/// ends. `None` (nothing to open, the server works on) when it cannot be made.
fn stdlib_files() -> Option<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("egwc-std-")
        .tempdir()
        .ok()?;
    for module in egwc::stdlib::MODULES {
        let path = dir.path().join(module.path);
        std::fs::create_dir_all(path.parent()?).ok()?;
        std::fs::write(&path, module.text).ok()?;
        // Read-only, so an edit there is not mistaken for a change to the library. Not on
        // Windows, where a read-only file would keep the directory from being removed.
        #[cfg(unix)]
        {
            let mut permissions = std::fs::metadata(&path).ok()?.permissions();
            permissions.set_readonly(true);
            std::fs::set_permissions(&path, permissions).ok()?;
        }
    }
    Some(dir)
}
