//! The command line, parsed by clap and then checked into [`Command`]: the rest of the crate
//! never sees clap's types.

use crate::diagnostics::Error;
use crate::output::Format;
use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::engine::ArgValueCompleter;
use std::path::PathBuf;

/// Run QuickBooks Online API methods declared in YAML files.
#[derive(Debug, Parser)]
#[command(
    name = "qbo-run",
    version,
    about,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  qbo-run requests/invoices.yaml --connection emulator\n  qbo-run requests/invoices.yaml --var since=2025-01-01 --format csv --output invoices.csv\n  qbo-run check requests/ connections/\n  qbo-run list"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    logging: LogArgs,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The request file to run, or several files or folders of them (run concurrently).
    #[arg(add = ArgValueCompleter::new(crate::complete::request_files))]
    files: Vec<PathBuf>,
    /// Connection to use: a name (connections/NAME.yaml) or a path; overrides the file's.
    #[arg(long, short = 'c', value_name = "NAME|PATH", add = ArgValueCompleter::new(crate::complete::connection_names))]
    connection: Option<String>,
    /// Set a variable of the request file (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", add = ArgValueCompleter::new(crate::complete::var_names))]
    vars: Vec<String>,
    /// Output format; else the file's, else json.
    #[arg(long, short = 'f', value_parser = ["json", "jsonl", "csv"])]
    format: Option<String>,
    /// Write to this file (atomically: only a successful run leaves it); else stdout.
    #[arg(long, short = 'o', value_name = "PATH")]
    output: Option<PathBuf>,
    /// With several request files: write each one's records to DIR/NAME.EXT.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// State file of an incremental request (default: under the data folder).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Input rows of a write request (CSV or JSON Lines): one create/update/delete/void per row.
    #[arg(long, value_name = "PATH")]
    input: Option<PathBuf>,
    /// Print the HTTP requests that would be sent (secrets redacted) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Run for this stored company (repeatable: several companies, each record with realm_id).
    #[arg(long = "realm", value_name = "ID")]
    realms: Vec<String>,
    /// Run for every stored company of the connection, each record with realm_id.
    #[arg(long, conflicts_with = "realms")]
    all_realms: bool,
    /// Run for the I-th of N disjoint, stable shares of the stored companies (0-based); `/N`
    /// takes I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).
    #[arg(long, value_name = "I/N", conflicts_with = "realms")]
    shard: Option<String>,
}

#[derive(Debug, Args)]
struct LogArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Log lines as text or as JSON objects (for pipelines).
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Check request and connection files (or folders of them) without any network.
    Check {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List the request files of a folder with their descriptions and variables.
    List {
        /// The folder; default `requests`.
        #[arg(default_value = "requests")]
        dir: PathBuf,
    },
    /// Serve the QBO emulator for any client, until Ctrl-C.
    Emulator(Box<qbo_emulator::EmulatorArgs>),
    /// Log in to a connection, show its tokens' state, or forget them.
    #[command(subcommand)]
    Auth(AuthSub),
    /// Copy tokens between this machine's files and a PostgreSQL token store.
    #[command(subcommand)]
    Store(StoreSub),
    /// Print the JSON Schema (draft 2020-12) of request or connection files, for editors.
    Schema {
        /// Which kind of file.
        #[arg(value_enum)]
        kind: SchemaArg,
    },
    /// Print the shell's completion script (request files, --var names and connections of the
    /// current folder are completed as you type).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell.
        #[arg(value_parser = SHELLS)]
        shell: String,
    },
    /// Print the manual page (roff), e.g. `qbo-run man | man -l -`.
    Man,
    /// Test request files offline against their cassettes (requests/cassettes/NAME.yaml), or
    /// record the cassettes with --record.
    #[command(
        after_help = "Exit code: 0 when every test passed, 8 when some failed, else the run's class (2 usage, 3 files ...).\nExamples:\n  qbo-run test --record requests/invoices.yaml --connection emulator\n  qbo-run test requests/ --junit results.xml"
    )]
    Test {
        /// Request files, or folders of them.
        #[arg(required = true, add = ArgValueCompleter::new(crate::complete::request_files))]
        files: Vec<PathBuf>,
        /// Run against the company and write the cassette and the expected output.
        #[arg(long)]
        record: bool,
        /// With --record: the connection to record from (else the file's).
        #[arg(long, short = 'c', requires = "record", add = ArgValueCompleter::new(crate::complete::connection_names))]
        connection: Option<String>,
        /// With --record: a variable of the request file, kept in the cassette (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE", requires = "record", add = ArgValueCompleter::new(crate::complete::var_names))]
        vars: Vec<String>,
        /// With --record: the input rows of a write request, kept in the cassette.
        #[arg(long, value_name = "PATH", requires = "record")]
        input: Option<PathBuf>,
        /// Also write the results as JUnit XML to FILE.
        #[arg(long, value_name = "FILE", conflicts_with = "record")]
        junit: Option<PathBuf>,
    },
    /// Pre-flight check when something is wrong: files, secrets, clock, token store, tokens,
    /// QBO (CompanyInfo), each ok/warn/fail, then the one next action.
    #[command(
        after_help = "Exit code: 0 when nothing failed (warnings allowed), else the class of the first failure (3 files, 4 login, 5 QBO refused, 6 unreachable, 7 token store)."
    )]
    Doctor {
        /// The connection to check (name or path); without it only the files are checked.
        #[arg(add = ArgValueCompleter::new(crate::complete::connection_names))]
        connection: Option<String>,
    },
    /// Write a commented starting file: a request (an entity or a report) or a connection.
    #[command(subcommand)]
    New(NewSub),
}

#[derive(Debug, Subcommand)]
enum NewSub {
    /// Write requests/NAME.yaml: the records of an entity, or a report's rows.
    Request {
        /// The file's name (requests/NAME.yaml): letters, digits, `_` and `-`.
        name: String,
        /// A QBO entity to query (name lists ask for inactive records too).
        #[arg(long, ignore_case = true, value_parser = entity_names(), required_unless_present = "report", conflicts_with = "report")]
        entity: Option<String>,
        /// A QBO report (QBO's name or snake case: ProfitAndLoss, profit_and_loss), with its
        /// parameters as variables.
        #[arg(long, ignore_case = true, value_parser = report_names())]
        report: Option<String>,
        /// Resume after the last successful run (entities).
        #[arg(long, conflicts_with = "report")]
        incremental: bool,
        /// The file's output format.
        #[arg(long, short = 'f', default_value = "json", value_parser = ["json", "jsonl", "csv"])]
        format: String,
        /// The connection the file names.
        #[arg(long, short = 'c', default_value = "emulator", add = ArgValueCompleter::new(crate::complete::connection_names))]
        connection: String,
        /// The project folder (the file goes to DIR/requests/).
        #[arg(long, default_value = ".", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Write connections/NAME.yaml for Intuit's production or sandbox, or the emulator.
    Connection {
        /// The file's name (connections/NAME.yaml): letters, digits, `_` and `-`.
        name: String,
        /// Which QBO it talks to.
        #[arg(long, value_parser = ["production", "sandbox", "emulator"])]
        environment: String,
        /// The project folder (the file goes to DIR/connections/).
        #[arg(long, default_value = ".", value_name = "DIR")]
        dir: PathBuf,
    },
}

fn entity_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::scaffold::ENTITIES.iter().map(|e| e.name))
}

fn report_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::scaffold::REPORTS.iter().map(|r| {
        let mut snake = String::new();
        for (i, c) in r.name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        }
        clap::builder::PossibleValue::new(r.name).alias(snake)
    }))
}

/// The shells `completions` writes scripts for.
const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

const COMPLETIONS_HELP: &str = "Install:\n  bash:        echo 'source <(qbo-run completions bash)' >> ~/.bashrc\n  zsh:         echo 'source <(qbo-run completions zsh)' >> ~/.zshrc\n  fish:        qbo-run completions fish > ~/.config/fish/completions/qbo-run.fish\n  powershell:  qbo-run completions powershell | Out-String | Invoke-Expression   (in $PROFILE)\n  elvish:      eval (qbo-run completions elvish | slurp)   (in ~/.config/elvish/rc.elv)";

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SchemaArg {
    /// Request files (requests/NAME.yaml).
    Request,
    /// Connection files (connections/NAME.yaml).
    Connection,
}

#[derive(Debug, Subcommand)]
enum AuthSub {
    /// Consent in a browser and store the tokens (the emulator consents by itself, unless its
    /// connection says `emulator.consent: browser`); on a connection that already has a
    /// company, adds another.
    Login {
        /// Connection name or path.
        connection: String,
        /// Only print the URL (it is printed anyway); do not open a browser ($BROWSER, else the
        /// desktop's default).
        #[arg(long)]
        no_browser: bool,
        /// Read the redirect URL pasted on stdin instead of listening (for production keys).
        #[arg(long, conflicts_with = "no_browser")]
        paste: bool,
        /// Seconds to wait for the browser's redirect.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Show the companies and the expiry of the stored tokens.
    Status {
        /// Connection name or path.
        connection: String,
        /// Only this company.
        #[arg(long, value_name = "ID")]
        realm: Option<String>,
    },
    /// List the stored companies: realm id, name, token expiry, whether a login is needed.
    List {
        /// Connection name or path.
        connection: String,
    },
    /// Delete the stored tokens of a connection (without telling the OAuth server).
    Logout {
        /// Connection name or path.
        connection: String,
        /// Only this company (else every company of the connection).
        #[arg(long, value_name = "ID")]
        realm: Option<String>,
    },
    /// Refresh the access token now.
    Refresh {
        /// Connection name or path.
        connection: String,
        /// The company (needed when several are stored).
        #[arg(long, value_name = "ID")]
        realm: Option<String>,
    },
    /// Revoke the tokens at the OAuth server, then delete them here.
    Revoke {
        /// Connection name or path.
        connection: String,
        /// The company (needed when several are stored).
        #[arg(long, value_name = "ID")]
        realm: Option<String>,
    },
    /// Call CompanyInfo with the stored tokens, like a "Test connection" button.
    Test {
        /// Connection name or path.
        connection: String,
        /// The company (needed when several are stored).
        #[arg(long, value_name = "ID")]
        realm: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum StoreSub {
    /// Copy the tokens of this machine's files into the database (QBO_RUN_STORE or --store).
    Push {
        /// Only these connections (default: every connection with token files).
        connections: Vec<String>,
        /// The database, instead of QBO_RUN_STORE.
        #[arg(
            long,
            value_name = "URL",
            env = "QBO_RUN_STORE",
            hide_env_values = true
        )]
        store: String,
    },
    /// Copy the tokens of the database (QBO_RUN_STORE or --store) into this machine's files.
    Pull {
        /// Only these connections (default: every connection in the database).
        connections: Vec<String>,
        /// The database, instead of QBO_RUN_STORE.
        #[arg(
            long,
            value_name = "URL",
            env = "QBO_RUN_STORE",
            hide_env_values = true
        )]
        store: String,
    },
}

/// What an `auth` subcommand does.
#[derive(Debug)]
pub enum AuthAction {
    /// `auth login`.
    Login {
        /// How the callback comes back.
        mode: crate::auth::CallbackMode,
        /// How long to wait for it.
        timeout: std::time::Duration,
    },
    /// `auth status`.
    Status,
    /// `auth list`.
    List,
    /// `auth logout`.
    Logout,
    /// `auth refresh`.
    Refresh,
    /// `auth revoke`.
    Revoke,
    /// `auth test`.
    Test,
}

/// What an `auth` subcommand asks for.
#[derive(Debug)]
pub struct AuthCommand {
    /// Connection name or path.
    pub connection: String,
    /// `--realm`, when given.
    pub realm: Option<String>,
    /// What to do.
    pub action: AuthAction,
}

/// Which way `qbo-run store` copies tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyDirection {
    /// Files into the database.
    Push,
    /// The database into files.
    Pull,
}

/// What `qbo-run store push|pull` asks for.
#[derive(Debug)]
pub struct StoreCommand {
    /// Which way.
    pub direction: CopyDirection,
    /// Only these connections (empty: all).
    pub connections: Vec<String>,
    /// The database URL.
    pub store: crate::secret::Secret,
}

/// What to do, checked.
#[derive(Debug)]
pub enum Command {
    /// Run one request file.
    Run(RunOptions),
    /// Run several request files concurrently, each to its own file.
    RunMany(ManyOptions),
    /// Check files.
    Check(Vec<PathBuf>),
    /// List request files in a folder.
    List(PathBuf),
    /// Serve the emulator.
    Emulator(Box<qbo_emulator::EmulatorArgs>),
    /// Manage a connection's tokens.
    Auth(AuthCommand),
    /// Copy tokens between stores.
    Store(StoreCommand),
    /// Print a file kind's JSON Schema.
    Schema(crate::spec::SchemaKind),
    /// Print text already made from the command line's definition (completions, man page).
    Print(Vec<u8>),
    /// Write a starting file.
    New(NewCommand),
    /// Test request files against cassettes, or record them.
    Test(TestCommand),
    /// Check what can go wrong before a run.
    Doctor(Option<String>),
}

/// What `qbo-run test --record` runs with.
#[derive(Debug, Clone)]
pub struct RecordArgs {
    /// `--connection`.
    pub connection: Option<String>,
    /// `--var` pairs.
    pub vars: Vec<(String, String)>,
    /// `--input`.
    pub input: Option<PathBuf>,
}

/// What `qbo-run test` asks for.
#[derive(Debug)]
pub struct TestCommand {
    /// Request files or folders.
    pub files: Vec<PathBuf>,
    /// `--record`, with its options.
    pub record: Option<RecordArgs>,
    /// `--junit`.
    pub junit: Option<PathBuf>,
}

/// What `qbo-run new` writes.
#[derive(Debug)]
pub enum NewFile {
    /// A request file.
    Request(crate::scaffold::RequestScaffold),
    /// A connection file for this environment.
    Connection(crate::spec::Environment),
}

/// What `qbo-run new` asks for.
#[derive(Debug)]
pub struct NewCommand {
    /// The file's stem.
    pub name: String,
    /// The project folder.
    pub dir: PathBuf,
    /// What to write.
    pub file: NewFile,
}

/// Which stored companies a run covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Companies {
    /// The connection's `realm_id`, else its only stored company.
    Default,
    /// These companies (`--realm`, repeatable).
    Realms(Vec<String>),
    /// Every stored company (`--all-realms`).
    All,
    /// The `index`-th of `count` shares of the stored companies (`--shard I/N`).
    Shard {
        /// 0-based.
        index: u32,
        /// How many shares.
        count: u32,
    },
}

impl Companies {
    /// Whether the run covers several companies, so records carry `realm_id`.
    pub fn is_many(&self) -> bool {
        match self {
            Companies::Default => false,
            Companies::Realms(realms) => realms.len() > 1,
            Companies::All | Companies::Shard { .. } => true,
        }
    }
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The request file.
    pub file: PathBuf,
    /// `--connection`.
    pub connection: Option<String>,
    /// `--var` pairs, in order.
    pub vars: Vec<(String, String)>,
    /// `--format`.
    pub format: Option<Format>,
    /// `--output`.
    pub output: Option<PathBuf>,
    /// `--output-dir`, with several companies: `DIR/<realm_id>/<request>.<ext>`.
    pub output_dir: Option<PathBuf>,
    /// `--state`.
    pub state: Option<PathBuf>,
    /// `--input`.
    pub input: Option<PathBuf>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--realm`, `--all-realms`, `--shard`.
    pub companies: Companies,
}

/// Options of a run of several files.
#[derive(Debug, Clone)]
pub struct ManyOptions {
    /// The request files (folders already expanded).
    pub files: Vec<PathBuf>,
    /// `--connection`, for every file.
    pub connection: Option<String>,
    /// `--var` pairs, for every file that declares them.
    pub vars: Vec<(String, String)>,
    /// `--format`, for every file.
    pub format: Option<Format>,
    /// `--output-dir`.
    pub output_dir: PathBuf,
    /// `--realm`, `--all-realms`, `--shard`.
    pub companies: Companies,
}

/// How much to log, and how.
#[derive(Debug, Clone, Copy)]
pub struct Verbosity {
    /// Count of `-v`.
    pub verbose: u8,
    /// `-q`.
    pub quiet: bool,
    /// `--log-format json`.
    pub json: bool,
}

impl Cli {
    /// The logging level asked for.
    pub fn verbosity(&self) -> Verbosity {
        Verbosity {
            verbose: self.logging.verbose,
            quiet: self.logging.quiet,
            json: self.logging.log_format == "json",
        }
    }

    /// Checks the parsed arguments into a [`Command`].
    pub fn into_command(self) -> Result<Command, Error> {
        match self.command {
            Some(Sub::Check { paths }) => Ok(Command::Check(paths)),
            Some(Sub::List { dir }) => Ok(Command::List(dir)),
            Some(Sub::Emulator(args)) => Ok(Command::Emulator(args)),
            Some(Sub::Completions { shell }) => completion_script(&shell).map(Command::Print),
            Some(Sub::Man) => man_page().map(Command::Print),
            Some(Sub::Test {
                files,
                record,
                connection,
                vars,
                input,
                junit,
            }) => Ok(Command::Test(TestCommand {
                files,
                record: if record {
                    Some(RecordArgs {
                        connection,
                        vars: vars
                            .iter()
                            .map(|pair| parse_var(pair))
                            .collect::<Result<_, _>>()?,
                        input,
                    })
                } else {
                    None
                },
                junit,
            })),
            Some(Sub::Doctor { connection }) => Ok(Command::Doctor(connection)),
            Some(Sub::New(sub)) => new_command(sub).map(Command::New),
            Some(Sub::Schema { kind }) => Ok(Command::Schema(match kind {
                SchemaArg::Request => crate::spec::SchemaKind::Request,
                SchemaArg::Connection => crate::spec::SchemaKind::Connection,
            })),
            Some(Sub::Auth(sub)) => Ok(Command::Auth(auth_command(sub))),
            Some(Sub::Store(StoreSub::Push { connections, store })) => {
                Ok(Command::Store(StoreCommand {
                    direction: CopyDirection::Push,
                    connections,
                    store: crate::secret::Secret::new(store),
                }))
            }
            Some(Sub::Store(StoreSub::Pull { connections, store })) => {
                Ok(Command::Store(StoreCommand {
                    direction: CopyDirection::Pull,
                    connections,
                    store: crate::secret::Secret::new(store),
                }))
            }
            None => {
                let run = self.run;
                if run.files.is_empty() {
                    return Err(Error::usage("no request file given")
                        .note("usage: qbo-run <REQUEST_FILE>... [--connection NAME] [--var NAME=VALUE]...")
                        .note("see the available methods with: qbo-run list"));
                }
                let vars = run
                    .vars
                    .iter()
                    .map(|pair| parse_var(pair))
                    .collect::<Result<Vec<_>, _>>()?;
                let format = run
                    .format
                    .as_deref()
                    .map(|f| {
                        f.parse::<Format>()
                            .map_err(|_| Error::usage(format!("unknown format `{f}`")))
                    })
                    .transpose()?;
                let companies = companies(&run)?;
                let many = run.files.len() > 1 || run.files.iter().any(|f| f.is_dir());
                if companies.is_many() && (run.state.is_some() || run.input.is_some()) {
                    return Err(Error::usage(
                        "--state and --input take one company; with several, each company's state is kept under the data folder",
                    ));
                }
                if !many {
                    if run.output_dir.is_some() && !companies.is_many() {
                        return Err(Error::usage(
                            "--output-dir is for several request files or companies; use --output with one",
                        ));
                    }
                    if run.output_dir.is_some() && run.output.is_some() {
                        return Err(Error::usage(
                            "--output and --output-dir do not go together: one merged file, or a file per company",
                        ));
                    }
                    let file = run.files.into_iter().next().unwrap_or_default();
                    return Ok(Command::Run(RunOptions {
                        file,
                        connection: run.connection,
                        vars,
                        format,
                        output: run.output,
                        output_dir: run.output_dir,
                        state: run.state,
                        input: run.input,
                        dry_run: run.dry_run,
                        companies,
                    }));
                }
                if run.output.is_some() || run.state.is_some() || run.dry_run || run.input.is_some()
                {
                    return Err(Error::usage(
                        "--output, --state, --input and --dry-run take one request file; with several, use --output-dir",
                    ));
                }
                let output_dir = run.output_dir.ok_or_else(|| {
                    Error::usage(
                        "several request files need --output-dir DIR (each writes DIR/NAME.EXT)",
                    )
                })?;
                let mut files = Vec::new();
                for path in run.files {
                    if path.is_dir() {
                        let mut found: Vec<PathBuf> = std::fs::read_dir(&path)
                            .map_err(|err| {
                                Error::usage(format!(
                                    "cannot read folder {}: {err}",
                                    path.display()
                                ))
                            })?
                            .filter_map(|entry| entry.ok().map(|e| e.path()))
                            .filter(|p| {
                                p.is_file()
                                    && matches!(
                                        p.extension().and_then(|e| e.to_str()),
                                        Some("yaml" | "yml")
                                    )
                            })
                            .collect();
                        found.sort();
                        files.extend(found);
                    } else {
                        files.push(path);
                    }
                }
                Ok(Command::RunMany(ManyOptions {
                    files,
                    connection: run.connection,
                    vars,
                    format,
                    output_dir,
                    companies,
                }))
            }
        }
    }
}

fn new_command(sub: NewSub) -> Result<NewCommand, Error> {
    use crate::scaffold::{RequestScaffold, Source, find_entity, find_report};
    match sub {
        NewSub::Request {
            name,
            entity,
            report,
            incremental,
            format,
            connection,
            dir,
        } => {
            let source = match (entity, report) {
                (Some(entity), _) => Source::Entity(find_entity(&entity).ok_or_else(|| {
                    if entity.eq_ignore_ascii_case("ExchangeRate") {
                        Error::usage(
                            "ExchangeRate has no Id to page by and is asked for one day at a time: start from requests/exchange_rates.yaml",
                        )
                    } else {
                        Error::usage(format!("`{entity}` is not a QBO entity"))
                    }
                })?),
                (None, Some(report)) => Source::Report(
                    find_report(&report)
                        .ok_or_else(|| Error::usage(format!("`{report}` is not a QBO report")))?,
                ),
                (None, None) => {
                    return Err(Error::usage("give --entity ENTITY or --report REPORT"));
                }
            };
            if incremental
                && let Source::Entity(entity) = source
                && !entity.by_update_time
            {
                return Err(Error::usage(format!(
                    "{} cannot be read incrementally: QBO does not filter it on MetaData.LastUpdatedTime (leave out --incremental for a full read)",
                    entity.name
                )));
            }
            let format = format
                .parse::<Format>()
                .map_err(|_| Error::usage(format!("unknown format `{format}`")))?;
            Ok(NewCommand {
                file: NewFile::Request(RequestScaffold {
                    name: name.clone(),
                    source,
                    incremental,
                    format,
                    connection,
                }),
                name,
                dir,
            })
        }
        NewSub::Connection {
            name,
            environment,
            dir,
        } => {
            let environment = match environment.as_str() {
                "production" => crate::spec::Environment::Production,
                "sandbox" => crate::spec::Environment::Sandbox,
                _ => crate::spec::Environment::Emulator,
            };
            Ok(NewCommand {
                name,
                dir,
                file: NewFile::Connection(environment),
            })
        }
    }
}

/// The environment variable through which a shell asks the binary for completions.
const COMPLETE_VAR: &str = "COMPLETE";

/// Answers the shell's completion request and exits, when this process is one (the scripts of
/// `qbo-run completions` call the binary with `COMPLETE=<shell>`); otherwise returns.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// The completion script of `shell`, which calls `qbo-run` back for each completion.
fn completion_script(shell: &str) -> Result<Vec<u8>, Error> {
    let shells = clap_complete::env::Shells::builtins();
    let completer = shells
        .completer(shell)
        .ok_or_else(|| Error::usage(format!("no completions for the shell `{shell}`")))?;
    let mut script = Vec::new();
    completer
        .write_registration(COMPLETE_VAR, "qbo-run", "qbo-run", "qbo-run", &mut script)
        .map_err(|err| Error::output(format!("cannot write the script: {err}")))?;
    Ok(script)
}

/// The roff manual pages: `qbo-run(1)`, then a page per subcommand (`qbo-run-auth-login(1)`
/// ...), one stream that `man -l -` shows whole.
fn man_page() -> Result<Vec<u8>, Error> {
    fn render(command: clap::Command, name: String, page: &mut Vec<u8>) -> std::io::Result<()> {
        let command = command.name(name.clone());
        clap_mangen::Man::new(command.clone()).render(page)?;
        for sub in command.get_subcommands() {
            if sub.get_name() != "help" {
                render(sub.clone(), format!("{name}-{}", sub.get_name()), page)?;
            }
        }
        Ok(())
    }
    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    render(command, "qbo-run".to_string(), &mut page)
        .map_err(|err| Error::output(format!("cannot write the manual page: {err}")))?;
    Ok(page)
}

/// The companies `--realm`, `--all-realms` and `--shard` ask for.
fn companies(run: &RunArgs) -> Result<Companies, Error> {
    if let Some(shard) = &run.shard {
        return parse_shard(shard, std::env::var("JOB_COMPLETION_INDEX").ok().as_deref());
    }
    if run.all_realms {
        return Ok(Companies::All);
    }
    if run.realms.is_empty() {
        return Ok(Companies::Default);
    }
    for realm in &run.realms {
        if realm.is_empty() || !realm.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::usage(format!(
                "--realm `{realm}` is not a company id (digits)"
            )));
        }
    }
    Ok(Companies::Realms(run.realms.clone()))
}

/// `I/N`, or `/N` with I from `index_env` (`JOB_COMPLETION_INDEX`).
fn parse_shard(text: &str, index_env: Option<&str>) -> Result<Companies, Error> {
    let usage = || {
        Error::usage(format!("--shard `{text}` is not I/N")).note(
            "e.g. --shard 0/4 ... --shard 3/4, or --shard /4 to take I from JOB_COMPLETION_INDEX",
        )
    };
    let (index, count) = text.split_once('/').ok_or_else(usage)?;
    let count: u32 = count.trim().parse().map_err(|_| usage())?;
    let index_text = match index.trim() {
        "" => index_env.map(str::trim).ok_or_else(|| {
            Error::usage(format!(
                "--shard `{text}` takes its index from JOB_COMPLETION_INDEX, which is not set"
            ))
        })?,
        given => given,
    };
    let index: u32 = index_text
        .parse()
        .map_err(|_| Error::usage(format!("the shard index `{index_text}` is not a number")))?;
    if count == 0 || index >= count {
        return Err(Error::usage(format!(
            "--shard {index}/{count}: the index must be from 0 to {}",
            count.saturating_sub(1)
        )));
    }
    Ok(Companies::Shard { index, count })
}

fn auth_command(sub: AuthSub) -> AuthCommand {
    let (connection, realm, action) = match sub {
        AuthSub::Login {
            connection,
            no_browser,
            paste,
            timeout,
        } => (
            connection,
            None,
            AuthAction::Login {
                mode: if paste {
                    crate::auth::CallbackMode::Paste
                } else if no_browser {
                    crate::auth::CallbackMode::NoBrowser
                } else {
                    crate::auth::CallbackMode::Browser
                },
                timeout: std::time::Duration::from_secs(timeout),
            },
        ),
        AuthSub::Status { connection, realm } => (connection, realm, AuthAction::Status),
        AuthSub::List { connection } => (connection, None, AuthAction::List),
        AuthSub::Logout { connection, realm } => (connection, realm, AuthAction::Logout),
        AuthSub::Refresh { connection, realm } => (connection, realm, AuthAction::Refresh),
        AuthSub::Revoke { connection, realm } => (connection, realm, AuthAction::Revoke),
        AuthSub::Test { connection, realm } => (connection, realm, AuthAction::Test),
    };
    AuthCommand {
        connection,
        realm,
        action,
    }
}

fn parse_var(pair: &str) -> Result<(String, String), Error> {
    match pair.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(Error::usage(format!("--var `{pair}` is not NAME=VALUE"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_i_of_n_with_the_index_from_the_job_when_left_out() {
        assert_eq!(
            parse_shard("1/4", None).expect("shard"),
            Companies::Shard { index: 1, count: 4 }
        );
        assert_eq!(
            parse_shard("/4", Some("3")).expect("from the job"),
            Companies::Shard { index: 3, count: 4 }
        );
        for bad in ["4/4", "1", "a/2", "0/0", "-1/2"] {
            assert!(parse_shard(bad, None).is_err(), "{bad}");
        }
        let err = parse_shard("/4", None).expect_err("no index");
        assert!(err.message().contains("JOB_COMPLETION_INDEX"));
        assert!(parse_shard("/4", Some("9")).is_err());
    }
}
