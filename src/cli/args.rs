//! The command line: one subcommand per staff action. Names, flags and JSON keys are a
//! contract the shop scripts against.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::intake::RefusalReason;
use crate::domain::{Part, Stage, VoidReason};

/// The command line: options every command takes, and the staff action to run.
#[derive(Debug, Parser)]
#[command(
    name = "rmaboard",
    version,
    about = "The warranty-repair workshop's console: run it without a command for the board.",
    after_help = "KEY is an RMA number, an IMEI or a tracking number, whichever you have in hand.\n\
                  TIME is YYYY-MM-DD, YYYY-MM-DD HH:MM (local time) or RFC 3339."
)]
pub struct Cli {
    /// The database file (default: RMABOARD_DB, the config file, or the data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Who is working (default: RMABOARD_USER, else the login name).
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// When it really happened (default: now).
    #[arg(long, global = true, value_name = "TIME")]
    pub at: Option<String>,

    /// Open the board on a demo database (temporary unless --db is given).
    #[arg(long)]
    pub demo: bool,

    /// The staff action; none opens the board.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One subcommand per staff action.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or migrate the database; prints its path.
    Init,
    /// The sales registry.
    #[command(subcommand)]
    Sales(SalesCommand),
    /// The warranty verdict for a device.
    Warranty(WarrantyArgs),
    /// Open a case (in expected) and print its RMA number; or one per line of a
    /// reseller's request file with --batch.
    Open(OpenArgs),
    /// The resellers (customer numbers of the sales registry) with their open, late and
    /// lately shipped cases.
    Resellers {
        /// Print a JSON array of objects with the keys customer_number, name, country,
        /// open, late, shipped_30d.
        #[arg(long)]
        json: bool,
    },
    /// The parcel arrived: expected -> received.
    Receive {
        /// The cases: RMA numbers, IMEIs or tracking numbers (several move together, all
        /// or none).
        #[arg(value_name = "KEY", required = true, num_args = 1..)]
        keys: Vec<String>,
        /// The inbound tracking number, if not given when the case was opened.
        #[arg(long, value_name = "NUMBER")]
        tracking_in: Option<String>,
    },
    /// Send to the manufacturer: received -> at_manufacturer.
    Send {
        /// The cases: RMA numbers, IMEIs or tracking numbers (several move together, all
        /// or none).
        #[arg(value_name = "KEY", required = true, num_args = 1..)]
        keys: Vec<String>,
        /// The manufacturer's reference for this repair (their RMA or ticket number).
        #[arg(long, value_name = "REF")]
        manufacturer_ref: String,
    },
    /// Inspect after repair: --pass, --fail --note TEXT, or --in-house --pass.
    Inspect(InspectArgs),
    /// Record why the guarantee is void; the device goes back unrepaired.
    Void {
        /// The cases: RMA numbers, IMEIs or tracking numbers (several move together, all
        /// or none).
        #[arg(value_name = "KEY", required = true, num_args = 1..)]
        keys: Vec<String>,
        /// Why the guarantee is void.
        #[arg(long, value_enum)]
        reason: VoidReasonArg,
        /// What was found, in a few words (kept as a note).
        #[arg(long)]
        note: String,
    },
    /// Ship back by China Post: inspected -> shipped. Several cases go in one parcel:
    /// one customer, one bill, one shipping notice.
    Ship {
        /// The cases: RMA numbers, IMEIs or tracking numbers (several move together, all
        /// or none).
        #[arg(value_name = "KEY", required = true, num_args = 1..)]
        keys: Vec<String>,
        /// The outbound UPU S10 number, e.g. RR123456785CN.
        #[arg(long, value_name = "S10NUMBER")]
        tracking: String,
        /// Ship under an S10 number an earlier parcel already carried (that parcel opened
        /// again); without it such a number is refused.
        #[arg(long)]
        reuse_tracking: bool,
    },
    /// Any allowed move, backwards included.
    Move {
        /// The cases: RMA numbers, IMEIs or tracking numbers (several move together, all
        /// or none).
        #[arg(value_name = "KEY", required = true, num_args = 1..)]
        keys: Vec<String>,
        /// The stage to move it to.
        #[arg(long, value_enum)]
        to: StageArg,
    },
    /// Undo your own last move on a case (a failed inspection too), unless someone
    /// changed the case since.
    Undo {
        /// The case: RMA number, IMEI or tracking number.
        key: String,
    },
    /// Add a repair note.
    Note {
        /// The case: RMA number, IMEI or tracking number.
        key: String,
        /// The note (quote it if it has spaces).
        text: String,
    },
    /// One case with its notes and history.
    Show {
        /// The case: RMA number, IMEI or tracking number.
        key: String,
        /// Print the case as JSON (the object described in the README).
        #[arg(long)]
        json: bool,
    },
    /// Cases, oldest first.
    List {
        /// Only cases in this stage.
        #[arg(long, value_enum)]
        stage: Option<StageArg>,
        /// Only the cases of this reseller (customer number of the sales registry).
        #[arg(long, value_name = "NUMBER")]
        customer: Option<String>,
        /// Only cases late on their stage's clock.
        #[arg(long)]
        overdue: bool,
        /// Print a JSON array of case objects.
        #[arg(long)]
        json: bool,
    },
    /// All cases as CSV (default) or JSON.
    Export {
        /// csv for a spreadsheet, json for a script.
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Write to this file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Begin the CSV with a UTF-8 byte order mark, so spreadsheet apps read accented
        /// names right (scripts usually want it without).
        #[arg(long)]
        bom: bool,
        /// Only the cases of this reseller (customer number of the sales registry).
        #[arg(long, value_name = "NUMBER")]
        customer: Option<String>,
    },
    /// A consistent copy of the database while others keep working.
    Backup {
        /// Where to write the copy (replaced if it exists).
        file: PathBuf,
    },
    /// Replace the database with a backup (checked first).
    Restore {
        /// The backup to restore (made by `rmaboard backup`).
        file: PathBuf,
        /// Confirm that the current contents are to be replaced.
        #[arg(long)]
        yes: bool,
    },
    /// Check integrity, foreign keys and history; show schema version, counts and WAL size.
    Doctor,
    /// The workshop report: stages, weekly flow, time in stage, turnaround, inspections,
    /// verdicts and overdue cases.
    Report {
        /// First day of the period (default: the Monday twelve weeks before this week's).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last day of the period (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The shop-scale benchmark (see BENCHMARKS.md).
    #[cfg(feature = "bench")]
    #[command(subcommand)]
    Bench(BenchCommand),
    /// The customs declaration (CN 23) of a shipped case's parcel: plain text, or a PDF with --out.
    Bill(BillArgs),
    /// Customer messages: list, show, send.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Customers' mail: import requests and parcel confirmations.
    #[command(subcommand)]
    Inbox(InboxCommand),
    /// Requests from customers' mail, oldest first, with their answer clock.
    Requests {
        /// Only open requests: not answered, or only asked a question.
        #[arg(long)]
        open: bool,
        /// Print a JSON array of request objects.
        #[arg(long)]
        json: bool,
    },
    /// One request: the mail's text, its devices with their warranty verdicts on the
    /// mail's day, its attachments and its answer.
    Request {
        /// The request's number, as `rmaboard requests` shows it.
        #[arg(value_name = "REQ")]
        request: String,
        /// Print the request as JSON, with `body` and `devices`.
        #[arg(long)]
        json: bool,
    },
    /// Answer a request: --open its cases, --refuse it, or --ask a question.
    Answer(AnswerArgs),
    /// Fill a database with a realistic demo shop and open the board on it.
    Demo {
        /// Only fill the database; do not open the board.
        #[arg(long)]
        no_board: bool,
    },
    /// Print the settings in effect: files, paths and values, and where each came from.
    Config {
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script, e.g. `rmaboard completions bash > /etc/bash_completion.d/rmaboard`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `rmaboard man | man -l -`.
    Man {
        /// Instead, write a page for every command into DIR (rmaboard.1, rmaboard-open.1, ...).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// What can be done to the sales registry.
#[derive(Debug, Subcommand)]
pub enum SalesCommand {
    /// Import the shop's sales export (CSV with a header).
    Import {
        /// The CSV file (a header line naming the columns; see the README).
        file: PathBuf,
        /// Import the good rows and report the bad ones (default: a bad row stops all).
        #[arg(long)]
        skip_invalid: bool,
    },
}

/// What `rmaboard bill` takes.
#[derive(Debug, Args)]
pub struct BillArgs {
    /// The case: RMA number, IMEI or tracking number.
    pub key: String,
    /// Write the PDF to this file (default: print the plain text).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// What can be done to the outbox of customer messages.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Messages not yet sent (all with --all), oldest first.
    List {
        /// Also messages sent or dropped.
        #[arg(long)]
        all: bool,
    },
    /// One message as it will be mailed.
    Show {
        /// The message number, as `outbox list` shows it.
        id: i64,
    },
    /// Send every pending message with the [mail] command, or write .eml files.
    Send {
        /// Write each message as an .eml file into DIR instead of mailing it.
        #[arg(long, value_name = "DIR")]
        eml: Option<PathBuf>,
    },
    /// Put a message stuck in `sending` (its sender was interrupted) back to pending,
    /// after checking that it did not reach the customer.
    Release {
        /// The message number, as `outbox list` shows it.
        id: i64,
    },
    /// Take a pending message out for good (no usable address, or the customer was told
    /// another way). It is kept with who, when and why, and never sent.
    Drop {
        /// The message number, as `outbox list` shows it.
        id: i64,
        /// Why it will not be sent (kept with the message).
        #[arg(long)]
        reason: String,
    },
}

/// What can be done with customers' mail.
#[derive(Debug, Subcommand)]
pub enum InboxCommand {
    /// Read mail into requests and confirmations: .eml files, folders of them, and
    /// Maildir folders (cur/ and new/). A mail imported before is left alone.
    Import {
        /// .eml files, folders of .eml files, or Maildir folders.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// What `rmaboard answer` takes: the request and one answer.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("reply").required(true).args(["open", "refuse", "ask"]))]
pub struct AnswerArgs {
    /// The request's number, as `rmaboard requests` shows it.
    #[arg(value_name = "REQ")]
    pub request: String,
    /// Open a case for each device the mail names (or those given with --imei), claimed
    /// when the mail came in, and draft one RMA-instructions message to the sender.
    #[arg(long)]
    pub open: bool,
    /// With --open: only these devices (15 digits; spaces and dashes are ignored).
    #[arg(long, value_name = "IMEI", requires = "open", num_args = 1..)]
    pub imei: Vec<String>,
    /// With --open: the fault recorded on the cases (default: the mail's subject and text).
    #[arg(long, requires = "open")]
    pub fault: Option<String>,
    /// Draft a refusal quoting the policy's clause behind the reason.
    #[arg(long, value_enum, value_name = "REASON")]
    pub refuse: Option<RefusalArg>,
    /// Draft a question to the sender; the request stays open, answered in time.
    #[arg(long, value_name = "TEXT")]
    pub ask: Option<String>,
    /// Print the request as JSON afterwards.
    #[arg(long)]
    pub json: bool,
}

/// The benchmark's steps: build a large store, then measure on it.
#[derive(Debug, Subcommand)]
#[cfg(feature = "bench")]
pub enum BenchCommand {
    /// Build a large realistic store (needs --db PATH, a new file).
    Generate {
        /// Devices in the sales registry.
        #[arg(long, default_value_t = 1_000_000)]
        sales: u64,
        /// Cases, spread over the stages as in a real shop.
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Seed of the generator: the same seed makes the same store.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Also write the sales as CSV, for the import figure.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Measure on a generated store and print a table.
    Run {
        /// Rows for the import figure (0 skips it).
        #[arg(long, default_value_t = 1_000_000)]
        import_rows: u64,
        /// Samples per timed figure.
        #[arg(long, default_value_t = 300)]
        samples: usize,
        /// Import runs, each followed by the sqlite3 shell's import of the same file
        /// (medians and the run-by-run ratio are printed).
        #[arg(long, default_value_t = 1)]
        import_runs: usize,
        /// Measure the import figures only.
        #[arg(long)]
        import_only: bool,
        /// Boards to run side by side for what one server holds, comma-separated (each
        /// the real program in its own pseudo-terminal); 0 skips it.
        #[arg(long, value_delimiter = ',', default_value = "1,10,30")]
        boards: Vec<usize>,
        /// Seconds the boards are left alone for their idle CPU.
        #[arg(long, default_value_t = 20)]
        idle_secs: u64,
        /// Colleagues writing at a shop's pace while the boards run.
        #[arg(long, default_value_t = 5)]
        colleagues: usize,
    },
    /// Write notes on the store until killed (the load for "move, 4 writers").
    #[command(hide = true)]
    Writer {
        /// Seed for the choice of cases.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

/// What `rmaboard warranty` takes.
#[derive(Debug, Args)]
pub struct WarrantyArgs {
    /// The device's IMEI (15 digits; spaces and dashes are ignored).
    pub imei: String,
    /// The claim date (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub on: Option<String>,
    /// The part the customer says is faulty.
    #[arg(long, value_enum, default_value = "device")]
    pub part: PartArg,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `rmaboard open` takes.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The device's IMEI, as scanned (15 digits; spaces and dashes are ignored).
    #[arg(long, required_unless_present = "batch")]
    pub imei: Option<String>,
    /// The customer's description of the fault.
    #[arg(long, required_unless_present = "batch")]
    pub fault: Option<String>,
    /// Open one case per line of a reseller's CSV (columns imei, fault; optionally part,
    /// claimed_at, tracking_in): all or nothing; prints the RMA numbers in file order.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["imei", "fault", "part", "claimed_at", "tracking_in", "override_reason"]
    )]
    pub batch: Option<PathBuf>,
    /// The part the customer says is faulty.
    #[arg(long, value_enum, default_value = "device")]
    pub part: PartArg,
    /// When the customer claimed (default: now); the verdict is taken on that day.
    #[arg(long, value_name = "TIME")]
    pub claimed_at: Option<String>,
    /// The tracking number of the customer's parcel, if already known.
    #[arg(long, value_name = "NUMBER")]
    pub tracking_in: Option<String>,
    /// Open it anyway (goodwill), recording why. Never for devices not sold by us.
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    /// Print the new case as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `rmaboard inspect` takes: a result, and a note for a fail.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("result").required(true).args(["pass", "fail"]))]
pub struct InspectArgs {
    /// The cases: RMA numbers, IMEIs or tracking numbers (several are inspected together,
    /// all or none).
    #[arg(value_name = "KEY", required = true, num_args = 1..)]
    pub keys: Vec<String>,
    /// The repair works: at_manufacturer -> inspected.
    #[arg(long)]
    pub pass: bool,
    /// Still faulty (needs --note): back to the manufacturer, or to the bench after an
    /// in-house repair.
    #[arg(long, requires = "note")]
    pub fail: bool,
    /// What is still wrong (with --fail).
    #[arg(long)]
    pub note: Option<String>,
    /// Repaired at the shop's bench: received -> inspected (with --pass).
    // `requires` alone lets `--in-house --fail` through (the group already holds a result).
    #[arg(long, requires = "pass", conflicts_with = "fail")]
    pub in_house: bool,
}

/// clap's view of the domain's names, kept in one place.
macro_rules! value_enum {
    ($arg:ident => $domain:ident { $($variant:ident),+ $(,)? }) => {
        /// The command line's names for a domain type's values.
        #[derive(Debug, Clone, Copy, ValueEnum)]
        #[value(rename_all = "snake_case")]
        pub enum $arg { $($variant),+ }

        impl From<$arg> for $domain {
            fn from(a: $arg) -> $domain {
                match a { $($arg::$variant => $domain::$variant),+ }
            }
        }
    };
}

value_enum!(StageArg => Stage { Expected, Received, AtManufacturer, Inspected, Shipped });
value_enum!(PartArg => Part {
    Device, Battery, Charger, Cable, Headphones, Accessory, Component, Software,
});
value_enum!(RefusalArg => RefusalReason {
    NotSoldByUs, Expired, NotCovered, Void, NotADefect,
});
value_enum!(VoidReasonArg => VoidReason {
    Dropped, WaterDamage, UnauthorisedSoftware, WillfulDamage, Theft,
});

/// The formats `rmaboard export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// `--help`, the man page and the completions are only as good as these lines.
    #[test]
    fn every_command_and_argument_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_about().is_none() {
                missing.push(format!("{path}: the command"));
            }
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path}: {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "rmaboard", &mut missing);
        assert!(missing.is_empty(), "no help line: {missing:#?}");
    }

    #[test]
    fn inspect_needs_exactly_a_result() {
        assert!(Cli::try_parse_from(["rmaboard", "inspect", "K"]).is_err());
        assert!(Cli::try_parse_from(["rmaboard", "inspect", "K", "--fail"]).is_err());
        assert!(Cli::try_parse_from(["rmaboard", "inspect", "K", "--pass", "--fail"]).is_err());
        assert!(Cli::try_parse_from(["rmaboard", "inspect", "K", "--in-house"]).is_err());
        assert!(
            Cli::try_parse_from([
                "rmaboard",
                "inspect",
                "K",
                "--in-house",
                "--fail",
                "--note",
                "x"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["rmaboard", "inspect", "K", "--in-house", "--pass"]).is_ok());
        assert!(Cli::try_parse_from(["rmaboard", "inspect", "K", "--fail", "--note", "x"]).is_ok());
    }

    #[test]
    fn snake_case_values() {
        let cli =
            Cli::try_parse_from(["rmaboard", "move", "K", "--to", "at_manufacturer"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Move {
                to: StageArg::AtManufacturer,
                ..
            })
        ));
        assert!(
            Cli::try_parse_from([
                "rmaboard",
                "void",
                "K",
                "--reason",
                "water_damage",
                "--note",
                "x"
            ])
            .is_ok()
        );
    }
}
